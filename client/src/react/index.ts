/**
 * React bindings of `@personalize/client`: a provider and hooks. React is a peer dependency,
 * needed only by this entry point (`@personalize/client/react`).
 */
export { PersonalizeProvider, usePersonalize } from './context.js';
export { useLive, type LiveState } from './use-live.js';
export { useSegments, type SegmentsState } from './use-segments.js';
