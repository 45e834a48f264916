/**
 * Lets a polling loop sleep until its next poll or until someone rings (new work in this process).
 * A ring while the loop is busy is remembered, so the next wait returns at once.
 */
export class Doorbell {
  private wake: (() => void) | null = null;
  private rung = false;

  ring(): void {
    this.rung = true;
    this.wake?.();
  }

  wait(ms: number): Promise<void> {
    if (this.rung) {
      this.rung = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        this.rung = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
