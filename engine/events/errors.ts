/** The one error event validation throws: where (`events[3].properties.price`) and why. */
export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';

  constructor(
    /** Path of the offending value: `timestamp`, `properties.items[2]`, `events[3].id`. */
    readonly path: string,
    /** Why it was refused: `is 7m in the future (at most 5m ahead)`. */
    readonly reason: string,
  ) {
    super(path ? `${path}: ${reason}` : reason);
  }

  /** The same error located under `prefix` (the batch position). */
  within(prefix: string): EventValidationError {
    return new EventValidationError(this.path ? `${prefix}.${this.path}` : prefix, this.reason);
  }
}
