import type { Logger } from 'pino';

/** Runs a task every `intervalMs` (with ±10 % jitter so replicas spread out), one run at a time. */
export class Periodic {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;
  private stopped = true;

  constructor(private readonly name: string, private readonly intervalMs: number, private readonly task: () => Promise<void>, private readonly logger: Logger) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Run now (e.g. after a console action) without waiting for the next tick. */
  async runNow(): Promise<void> {
    if (this.current) return this.current;
    this.current = this.task().catch((e: unknown) => this.logger.warn({ err: e, task: this.name }, 'periodic task failed')).finally(() => { this.current = null; });
    return this.current;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current;
  }

  private schedule(): void {
    if (this.stopped) return;
    // setTimeout fires at once for more than 2^31-1 ms (about 24.8 days): a monthly sync would run back to back.
    const delay = Math.min(this.intervalMs * (0.9 + Math.random() * 0.2), MAX_TIMER_MS);
    this.timer = setTimeout(() => { void this.runNow().finally(() => this.schedule()); }, delay);
    this.timer.unref();
  }
}

const MAX_TIMER_MS = 2 ** 31 - 1;
