/** Thrown by a handler that cannot run yet (e.g. another worker is updating the same card): retry soon, no attempt spent. */
export class RetryLater extends Error {
  constructor(readonly delayMs: number, message = 'busy, retry later') {
    super(message);
    this.name = 'RetryLater';
  }
}
