/**
 * Event validation: untrusted input (Segment spec calls or the GraphQL shorthand) in, bounded and
 * normalized `VisitorEvent`s out, or an `EventValidationError` with the path and the reason.
 */
export { validateEvent, validateEvents } from './validate';
export { EventValidationError } from './errors';
/** The payload check, for other visitor-supplied JSON objects (`identify` traits). */
export { copyJsonObject } from './payload';
export { DEFAULT_EVENT_LIMITS, type EventLimits } from './limits';
/** Re-exported for callers that build facts from validated events (in-process store, admin panel). */
export { factsFromEvents } from '../rules/facts';
