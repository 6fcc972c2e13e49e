/**
 * `factsFromEvents`: the `ProfileFacts` a store would hold after ingesting `events`, built from the
 * raw list with the rule set's own router and retention. The in-process store, the admin "try it"
 * panel and the tests use it, so every path agrees on what an event history means.
 */
import type {
  CompiledRuleSet,
  EpochMs,
  JsonObject,
  MembershipState,
  ProfileFacts,
  StreamFacts,
  VisitorEvent,
} from '../types';

/**
 * Facts at `now` from `events` (any order; the same id counts once, the first occurrence wins),
 * with `previous` memberships, `traits`, and `context` as the base the events' contexts are merged
 * onto (key by key, oldest first, so the newest event's values win).
 */
export function factsFromEvents(
  ruleSet: CompiledRuleSet,
  events: ReadonlyArray<VisitorEvent>,
  now: EpochMs,
  previous: Record<string, MembershipState> = {},
  traits: JsonObject = {},
  context: JsonObject = {},
): ProfileFacts {
  const seen = new Set<string>();
  const unique = events.filter((event) => !seen.has(event.id) && seen.add(event.id));
  // Stable sort: equal timestamps keep arrival order, as a store appending them would.
  const ordered = [...unique].sort((a, b) => a.timestamp - b.timestamp);
  const specs = new Map(ruleSet.streams.map((spec) => [spec.id, spec]));
  const streams: Record<string, StreamFacts> = {};
  const mergedContext: JsonObject = { ...context };
  for (const event of ordered) {
    Object.assign(mergedContext, event.context);
    for (const entry of ruleSet.route(event)) {
      const spec = specs.get(entry.stream)!;
      const stream = (streams[entry.stream] ??= spec.carriesValue
        ? { times: [], values: [] }
        : { times: [] });
      if (spec.keepFirstLast) {
        stream.firstSeen ??= event.timestamp;
        stream.lastSeen = event.timestamp;
      }
      if (event.timestamp <= now - spec.retentionMs) continue;
      stream.times.push(event.timestamp);
      if (stream.values) stream.values.push(entry.value ?? '');
    }
  }
  return {
    traits,
    context: mergedContext,
    streams,
    previous,
    ...(ordered.length > 0 ? { firstSeenAt: ordered[0]!.timestamp } : {}),
  };
}
