/**
 * From stored facts to a decision: evaluates the compiled rules on a profile record and compares
 * the result with the stored memberships. Pure: the Personalizer does the writing.
 */
import { splitTraits } from './traits';
import type {
  CompiledRuleSet,
  EpochMs,
  Evaluation,
  MembershipState,
  MembershipView,
  ProfileFacts,
  ProfileView,
  Reason,
} from '../types';
import type { ProfileRecord } from './types';

export interface Decision {
  evaluation: Evaluation;
  /** Memberships after this evaluation (`since` kept for continuing ones). */
  memberships: Record<string, MembershipState>;
  entered: string[];
  exited: string[];
  /** Reasons of the entered and exited segments. */
  reasons: Record<string, Reason>;
  /** Current memberships as shown to callers, highest priority first. */
  segments: MembershipView[];
  /** When to re-evaluate with no new event, or `null`. */
  nextChangeAt: EpochMs | null;
}

const REMOVED_SEGMENT: Reason = { text: 'the segment no longer exists', conditions: [] };

/** Evaluates `rules` on `record` at `now` and diffs the outcome against the stored memberships. */
export function decide(record: ProfileRecord, rules: CompiledRuleSet, now: EpochMs): Decision {
  const { traits, clientTraits } = splitTraits(record.traits);
  const facts: ProfileFacts = {
    traits,
    clientTraits,
    context: record.context,
    streams: record.streams,
    previous: record.memberships,
    firstSeenAt: record.firstSeenAt,
  };
  const evaluation = rules.evaluate(facts, now);
  const memberships: Record<string, MembershipState> = {};
  const entered: string[] = [];
  const reasons: Record<string, Reason> = {};
  const segments: MembershipView[] = [];
  for (const segment of rules.segments) {
    const result = evaluation.segments[segment.key];
    if (!result?.member) continue;
    const since = record.memberships[segment.key]?.since ?? now;
    memberships[segment.key] = { since };
    if (!(segment.key in record.memberships)) {
      entered.push(segment.key);
      reasons[segment.key] = result.reason;
    }
    segments.push({
      key: segment.key,
      name: segment.name,
      priority: segment.priority,
      since,
      expiresAt: result.nextChangeAt,
      reason: result.reason,
    });
  }
  const exited = Object.keys(record.memberships).filter((key) => !(key in memberships));
  for (const key of exited) reasons[key] = evaluation.segments[key]?.reason ?? REMOVED_SEGMENT;
  segments.sort(byPriority);
  return {
    evaluation,
    memberships,
    entered,
    exited,
    reasons,
    segments,
    nextChangeAt: evaluation.nextChangeAt,
  };
}

/** Highest priority first; equal priorities by key, so the order is stable. */
export function byPriority(a: MembershipView, b: MembershipView): number {
  return b.priority - a.priority || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** The caller-facing view of a record and its decision. */
export function profileView(record: ProfileRecord, decision: Decision, rules: CompiledRuleSet): ProfileView {
  return {
    id: record.id,
    userId: record.userId,
    ...splitTraits(record.traits),
    consent: record.consent,
    segments: decision.segments,
    rulesVersion: rules.version,
  };
}
