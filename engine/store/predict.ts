/**
 * The profile a batch of events will produce, computed before the batch is stored: what lets an
 * event that changes a membership be stored, evaluated and announced in one round trip
 * (`IngestProposal` in types.ts). It mirrors what `ingest` does to the facts the rules read
 * (streams, first/last, context as the policy keeps it, version); both stores implement that, and the contract suite
 * checks that this mirror agrees with them.
 *
 * A wrong prediction cannot be stored: `ingest` writes the proposal only when the profile was
 * the one predicted from and every event was stored, and the Personalizer evaluates the profile
 * `ingest` returns anyway, so a mirror that drifted would only cost a corrective commit. Where
 * the outcome depends on something the record does not hold, this returns `null` and the event
 * takes two round trips as without a prediction:
 *
 * - consent off (the events would be withheld);
 * - the same event id twice in the batch (the second is a duplicate);
 * - a stream that would exceed `maxEntriesPerStream` (which entries go depends on event ids);
 * - two entries at the same time in a stream that carries values (their order depends on ids).
 */
import type { EpochMs, JsonObject, StreamFacts } from '../types';
import { withFields } from './record';
import type { ProfileRecord, RoutedEvent, StoreContext } from './types';

/** `base` with `events` stored at `context.now`, or `null` when that cannot be known here. */
export function predictIngest(
  base: ProfileRecord,
  events: readonly RoutedEvent[],
  context: StoreContext,
): ProfileRecord | null {
  if (events.length === 0) return null;
  if (base.exists && (!base.consent.behavioral || base.firstSeenAt === undefined)) return null;
  const ids = new Set(events.map(({ event }) => event.id));
  if (ids.size !== events.length) return null;

  const { now } = context;
  const policy = context.contextPolicy;
  const storedContext: JsonObject = { ...base.context };
  // What ingest keeps: keys of another policy go, then each event's kept keys are applied.
  policy.prune(storedContext);
  let contextAt = base.exists ? (base.contextAt ?? -1) : -1;
  if (base.exists && base.contextAt === undefined && Object.keys(base.context).length > 0) return null;
  const added = new Map<string, Array<[EpochMs, string | undefined]>>();
  for (const { event, entries } of events) {
    for (const entry of entries) {
      let list = added.get(entry.stream);
      if (!list) added.set(entry.stream, (list = []));
      list.push([event.timestamp, entry.value]);
    }
    // The most recent event's context wins, key by key (in batch order for equal times).
    if (event.timestamp >= contextAt) {
      policy.apply(storedContext, event.context);
      contextAt = event.timestamp;
    }
  }

  const streams: Record<string, StreamFacts> = {};
  for (const spec of context.streams) {
    const before = base.streams[spec.id];
    const fresh = added.get(spec.id) ?? [];
    if (!before && fresh.length === 0) continue;
    const since = now - spec.retentionMs;
    const kept: Array<[EpochMs, string | undefined]> = [];
    before?.times.forEach((at, i) => {
      if (at > since) kept.push([at, before.values?.[i]]);
    });
    for (const entry of fresh) if (entry[0] > since) kept.push(entry);
    if (kept.length > context.maxEntriesPerStream) return null;
    kept.sort((a, b) => a[0] - b[0]);
    if (spec.carriesValue && kept.some(([at], i) => i > 0 && kept[i - 1]![0] === at)) return null;
    const facts: StreamFacts = { times: kept.map(([at]) => at) };
    if (spec.carriesValue) facts.values = kept.map(([, value]) => value ?? '');
    const times = fresh.map(([at]) => at);
    if (before?.firstSeen !== undefined) times.push(before.firstSeen, before.lastSeen ?? before.firstSeen);
    if (times.length > 0) [facts.firstSeen, facts.lastSeen] = [Math.min(...times), Math.max(...times)];
    streams[spec.id] = facts;
  }

  return withFields(base, {
    exists: true,
    version: base.version + 1,
    rulesVersion: base.exists ? base.rulesVersion : context.rulesVersion,
    firstSeenAt: base.exists ? base.firstSeenAt : now,
    context: storedContext,
    contextAt: contextAt >= 0 ? contextAt : undefined,
    streams,
  });
}
