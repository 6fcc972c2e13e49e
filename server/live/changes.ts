/**
 * Membership changes as pushed to `segmentsChanged`: the engine's change, the current state sent
 * first, the fold of two changes into one for a consumer that has not taken the first yet, and
 * the catch-up after changes were missed (the bus was away).
 */
import type { EpochMs, MembershipView, ProfileView, SegmentChange } from '../../engine/types';
import type { SegmentChangeModel } from '../../resolvers/models';

/** The engine's change as the schema's model. */
export function changeModel(change: SegmentChange): SegmentChangeModel {
  return {
    entered: change.entered,
    exited: change.exited,
    segments: change.segments,
    reasons: change.reasons,
    cause: change.cause,
    at: change.at,
  };
}

/** The state at (re)subscription: nothing entered or left, every current membership. */
export function currentState(profile: ProfileView, at: EpochMs): SegmentChangeModel {
  return { entered: [], exited: [], segments: profile.segments, reasons: {}, cause: 'current', at };
}

/**
 * `earlier` then `later` as one change: entered and exited are computed between the state before
 * `earlier` and the state after `later`, so a segment entered then left again disappears from both.
 */
export function foldChanges(earlier: SegmentChangeModel, later: SegmentChangeModel): SegmentChangeModel {
  const before = new Set(earlier.segments.map((segment) => segment.key));
  for (const key of earlier.entered) before.delete(key);
  for (const key of earlier.exited) before.add(key);
  const after = new Set(later.segments.map((segment) => segment.key));
  const entered = [...after].filter((key) => !before.has(key));
  const exited = [...before].filter((key) => !after.has(key));
  const reasons = { ...earlier.reasons, ...later.reasons };
  const kept = Object.fromEntries(
    Object.entries(reasons).filter(([key]) => entered.includes(key) || exited.includes(key)),
  );
  return { entered, exited, segments: later.segments, reasons: kept, cause: later.cause, at: later.at };
}

/** The state after a merge that came without a change notice: every membership of the merged-into profile. */
export function mergedState(profile: ProfileView, at: EpochMs): SegmentChangeModel {
  return {
    entered: profile.segments.map((segment) => segment.key),
    exited: [],
    segments: profile.segments,
    reasons: {},
    cause: 'merge',
    at,
  };
}

/**
 * What a subscriber holding `held` missed, given the `current` profile: the memberships entered
 * (or left and entered again) and left since, as a state sync (cause `current`, no reasons), or
 * null if it missed nothing.
 */
export function catchUpChange(
  held: readonly MembershipView[],
  current: ProfileView,
  at: EpochMs,
): SegmentChangeModel | null {
  const before = sinceByKey(held);
  const after = sinceByKey(current.segments);
  const entered = [...after.keys()].filter((key) => before.get(key) !== after.get(key));
  const exited = [...before.keys()].filter((key) => !after.has(key));
  if (entered.length === 0 && exited.length === 0) return null;
  return { entered, exited, segments: current.segments, reasons: {}, cause: 'current', at };
}

/**
 * Whether two membership lists are the same state (same segments, entered at the same times): a
 * change announcing the state a subscriber already holds (a catch-up got there first) says nothing new.
 */
export function sameMemberships(a: readonly MembershipView[], b: readonly MembershipView[]): boolean {
  if (a.length !== b.length) return false;
  const since = sinceByKey(a);
  return b.every((segment) => since.get(segment.key) === segment.since);
}

function sinceByKey(segments: readonly MembershipView[]): Map<string, EpochMs> {
  return new Map(segments.map((segment) => [segment.key, segment.since]));
}
