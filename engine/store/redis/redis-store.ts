/**
 * The profile store on Redis (single node or cluster, unchanged). Each operation on a profile is
 * one Lua script over keys sharing the profile's hash tag (see `keys.ts` and `lua/*.lua`), so it
 * is atomic and takes one round trip; only merges and erasures touch other slots (aliases), and
 * those steps are idempotent so a retry after a crash is harmless. A write that changes a
 * profile's memberships (rare) is followed by one write to the membership index
 * (`member-index.ts`), which `countMembers` reads.
 */
import type { Cluster, Redis } from 'ioredis';
import {
  systemClock,
  type Clock,
  type Consent,
  type EpochMs,
  type JsonObject,
  type MembershipState,
} from '../../types';
import { assertProfileId, refuseReplacedWrite } from '../profile-id';
import { ProfileLimitError } from '../limits';
import { assertEventId, decodeRecord, streamMember } from '../record';
import type {
  CommitRequest,
  EraseResult,
  IngestProposal,
  IngestResult,
  ProfileExport,
  ProfileRecord,
  ProfileStore,
  RoutedEvent,
  StoreContext,
} from '../types';
import { HASH_FIELD_PREFIXES, HASH_FIELDS } from './fields';
import { RedisKeys } from './keys';
import { RedisMemberIndex } from './member-index';
import { decodeCommitReply, decodeIngestReply, type WrittenOutcome } from './replies';
import { scriptsFor, type Reply, type Scripts } from './scripts';

/** How many alias hops a lookup follows before deciding the aliases form a loop. */
const MAX_ALIAS_HOPS = 8;

export interface RedisProfileStoreOptions {
  client: Redis | Cluster;
  /** Publish changes with SPUBLISH (cluster) instead of PUBLISH. */
  sharded: boolean;
  keyPrefix: string;
  /** TTL of anonymous profiles' keys (ms), refreshed on every write. */
  anonymousTtlMs: number;
  /** TTL of user profiles' keys (ms); 0 = kept until erased. */
  userTtlMs: number;
  /** Source of time for the membership index's re-check times; default the system clock. */
  clock?: Clock;
}

type ScriptOutcome<T> = { alias: string } | { value: T };

export class RedisProfileStore implements ProfileStore {
  readonly kind = 'redis';
  readonly keys: RedisKeys;
  private readonly scripts: Scripts;
  private readonly members: RedisMemberIndex;

  constructor(private readonly options: RedisProfileStoreOptions) {
    this.keys = new RedisKeys(options.keyPrefix);
    this.scripts = scriptsFor(options.client);
    this.members = new RedisMemberIndex(this.scripts, this.keys, options.clock ?? systemClock);
  }

  async ingest(
    profileId: string,
    events: RoutedEvent[],
    context: StoreContext,
    proposal?: IngestProposal,
  ): Promise<IngestResult> {
    const indexOf = streamIndexes(context.streams);
    const policy = context.contextPolicy;
    const eventArgs: Array<string | number> = [events.length];
    for (const { event, entries } of events) {
      assertEventId(event.id);
      eventArgs.push(event.id, event.timestamp);
      // Only the kept context keys travel, projected ('' deletes the stored value: see limits.ts).
      const countAt = eventArgs.push(0) - 1;
      let kept = 0;
      for (const key of Object.keys(event.context)) {
        const projected = policy.project(key, event.context[key]!);
        if (projected === undefined) continue;
        eventArgs.push(key, projected === null ? '' : projected.json);
        kept += 1;
      }
      eventArgs[countAt] = kept;
      eventArgs.push(entries.length);
      for (const entry of entries) {
        const index = indexOf.get(entry.stream);
        if (index === undefined) throw new Error(`event routed to unknown stream '${entry.stream}'`);
        eventArgs.push(index, streamMember(event.id, entry.value));
      }
    }
    return this.followAliases<IngestResult>(profileId, async (id) => {
      const keys = [
        this.keys.alias(id),
        this.keys.hash(id),
        this.keys.seen(id),
        ...this.streamKeys(id, context),
      ];
      const args: Array<string | number> = [
        context.now,
        this.options.anonymousTtlMs,
        this.options.userTtlMs,
        Math.max(context.dedupeWindowMs, ...context.streams.map((s) => s.retentionMs)),
        context.rulesVersion,
        context.maxEntriesPerStream,
        context.limits.maxSeenIds,
        policy.fingerprint,
        policy.keys.length,
        ...policy.keys,
        context.streams.length,
      ];
      for (const stream of context.streams) args.push(stream.id, stream.retentionMs);
      for (const arg of eventArgs) args.push(arg);
      // Made for the id asked about: not for the profile an alias leads to.
      if (proposal && id === profileId) {
        const { expected } = proposal;
        args.push(expected === 'new' ? 'new' : `${expected.firstSeenAt}:${expected.version}`);
        args.push(...this.outcomeArgs(id, proposal.outcome));
      } else {
        args.push('');
      }
      const reply = asList(await this.scripts.run('ingest', keys, args));
      if (reply[0] === 'alias') {
        refuseReplacedWrite(id, String(reply[1]));
        return { alias: String(reply[1]) };
      }
      const ingested = decodeIngestReply(reply);
      if (ingested.proposalCommitted && proposal) {
        await this.indexChangedMemberships(id, proposal.outcome, ingested.written);
      }
      return {
        value: {
          profile: this.decodeProfile(id, ingested.profile, context),
          accepted: ingested.accepted,
          duplicates: ingested.duplicates,
          withheld: ingested.withheld,
          proposalCommitted: ingested.proposalCommitted,
        },
      };
    });
  }

  load(profileId: string, context: StoreContext): Promise<ProfileRecord> {
    return this.followAliases(profileId, async (id) => {
      const keys = [this.keys.alias(id), this.keys.hash(id), ...this.streamKeys(id, context)];
      const args = [context.now, context.streams.length, ...context.streams.map((s) => s.retentionMs)];
      return this.profileReply(id, await this.scripts.run('load', keys, args), 1, context);
    });
  }

  async commit(profileId: string, request: CommitRequest): Promise<boolean> {
    assertProfileId(profileId);
    const args: Array<string | number> = [
      request.expectedVersion,
      this.options.anonymousTtlMs,
      this.options.userTtlMs,
      ...this.outcomeArgs(profileId, request),
    ];
    const reply = await this.scripts.run('commit', [this.keys.hash(profileId)], args);
    if (!Array.isArray(reply)) return false;
    await this.indexChangedMemberships(profileId, request, decodeCommitReply(reply));
    return true;
  }

  /** An evaluation's outcome as `write_outcome` (lua/includes/profile.lua) reads it. */
  private outcomeArgs(profileId: string, outcome: IngestProposal['outcome']): Array<string | number> {
    const memberships = Object.entries(outcome.memberships);
    const args: Array<string | number> = [
      outcome.rulesVersion,
      outcome.dueAt ?? '',
      this.options.sharded ? 'SPUBLISH' : 'PUBLISH',
      this.keys.channel(profileId),
      outcome.change ? JSON.stringify(outcome.change) : '',
      memberships.length,
    ];
    for (const [key, state] of memberships) args.push(key, state.since);
    return args;
  }

  /**
   * After an outcome was written: `written` is `[expiresAt, entered, exited]` as the script
   * returned them. Only a change of memberships costs this second write; it re-scores the
   * continuing ones too.
   */
  private async indexChangedMemberships(
    profileId: string,
    outcome: IngestProposal['outcome'],
    written: WrittenOutcome,
  ): Promise<void> {
    const { expiresAt, entered, exited } = written;
    if (asList(entered).length === 0 && asList(exited).length === 0) return;
    await this.members.update(
      profileId,
      Object.keys(outcome.memberships),
      asStrings(exited),
      Number(expiresAt),
    );
  }

  setTraits(profileId: string, traits: JsonObject, context: StoreContext): Promise<ProfileRecord> {
    const pairs: string[] = [];
    for (const [key, value] of Object.entries(traits))
      pairs.push(key, value === null ? '' : JSON.stringify(value));
    return this.followAliases(profileId, async (id) => {
      const keys = [this.keys.alias(id), this.keys.hash(id), ...this.streamKeys(id, context)];
      const args: Array<string | number> = [
        context.now,
        this.options.anonymousTtlMs,
        this.options.userTtlMs,
        context.streams.length,
        ...context.streams.map((s) => s.retentionMs),
        context.limits.maxTraits,
        context.limits.maxTraitBytes,
        pairs.length / 2,
        ...pairs,
      ];
      const reply = await this.scripts.run('traits', keys, args);
      throwIfRefused(reply);
      return this.profileReply(id, reply, 1, context);
    });
  }

  setConsent(profileId: string, consent: Consent, context: StoreContext): Promise<ProfileRecord> {
    return this.followAliases(profileId, async (id) => {
      const keys = [
        this.keys.alias(id),
        this.keys.hash(id),
        this.keys.seen(id),
        ...this.streamKeys(id, context),
      ];
      const args: Array<string | number> = [
        this.keys.base(id),
        context.now,
        this.options.anonymousTtlMs,
        this.options.userTtlMs,
        consent.behavioral ? '1' : '0',
        context.streams.length,
        ...context.streams.map((s) => s.retentionMs),
      ];
      return this.profileReply(id, await this.scripts.run('consent', keys, args), 1, context);
    });
  }

  exportProfile(profileId: string, context: StoreContext): Promise<ProfileExport | null> {
    return this.followAliases<ProfileExport | null>(profileId, async (id) => {
      const keys = [this.keys.alias(id), this.keys.hash(id), this.keys.seen(id), this.keys.aliases(id)];
      const reply = asList(await this.scripts.run('export', keys, [this.keys.base(id)]));
      if (reply[0] === 'alias') return { alias: String(reply[1]) };
      if (reply[0] === 'none') return { value: null };
      const hash = asStrings(reply[1]);
      const entries: ProfileExport['entries'] = {};
      const streamReplies = new Map<string, string[]>();
      for (const item of asList(reply[4])) {
        const [streamId, pairs] = asList(item);
        const list = asStrings(pairs);
        streamReplies.set(String(streamId), list);
        entries[String(streamId)] = pairsOf(list);
      }
      const record = decodeRecord(
        id,
        hash,
        context.streams.map((s) =>
          filterRetention(streamReplies.get(s.id) ?? [], context.now - s.retentionMs),
        ),
        context.streams,
      );
      const firstLast: ProfileExport['firstLast'] = {};
      let contextAt: number | null = null;
      for (let i = 0; i < hash.length; i += 2) {
        if (hash[i] === HASH_FIELDS.contextAt) contextAt = Number(hash[i + 1]);
        if (hash[i]!.startsWith(HASH_FIELD_PREFIXES.stream)) {
          const [first, last] = hash[i + 1]!.split(':').map(Number);
          firstLast[hash[i]!.slice(2)] = [first!, last!];
        }
      }
      const seen = pairsOf(asStrings(reply[2]));
      return { value: { id, record, seen, entries, firstLast, aliases: asStrings(reply[3]), contextAt } };
    });
  }

  async absorb(
    userProfileId: string,
    userId: string,
    source: ProfileExport | null,
    overrides: JsonObject,
    context: StoreContext,
  ): Promise<ProfileRecord> {
    assertProfileId(userProfileId);
    const record = source?.record;
    const payload = {
      seen: source?.seen.map(([id, ts]) => [id, String(ts)]) ?? [],
      entries: Object.fromEntries(
        Object.entries(source?.entries ?? {}).map(([stream, list]) => [
          stream,
          list.map(([m, ts]) => [m, String(ts)]),
        ]),
      ),
      firstLast: Object.fromEntries(
        Object.entries(source?.firstLast ?? {}).map(([stream, [f, l]]) => [stream, [String(f), String(l)]]),
      ),
      traits: jsonFields(record?.traits ?? {}),
      context: jsonFields(
        Object.fromEntries(
          Object.entries(record?.context ?? {}).filter(([key]) => context.contextPolicy.keeps(key)),
        ),
      ),
      contextAt: source && source.contextAt !== null ? String(source.contextAt) : '',
      memberships: Object.fromEntries(
        Object.entries(record?.memberships ?? {}).map(([k, m]) => [k, String(m.since)]),
      ),
      firstSeenAt: record?.firstSeenAt === undefined ? '' : String(record.firstSeenAt),
      consent: record ? (record.consent.behavioral ? '1' : '0') : '',
      aliases: source ? [...source.aliases, source.id] : [],
      overrides: Object.fromEntries(
        Object.entries(overrides).map(([k, v]) => [k, v === null ? '' : JSON.stringify(v)]),
      ),
    };
    const id = userProfileId;
    const keys = [this.keys.hash(id), this.keys.seen(id), this.keys.aliases(id)];
    const args = [
      this.keys.base(id),
      context.now,
      this.options.anonymousTtlMs,
      this.options.userTtlMs,
      userId,
      context.limits.maxTraits,
      context.limits.maxTraitBytes,
      context.limits.maxSeenIds,
    ];
    const reply = await this.scripts.run('absorb', keys, [...args, JSON.stringify(payload)]);
    throwIfRefused(reply);
    const expiresAt = asList(reply)[1];
    const merged = await this.load(id, context);
    // The merged profile's memberships came along: the user is now a member of them (the
    // anonymous profile leaves the index when it is retired).
    if (Object.keys(record?.memberships ?? {}).length > 0) {
      await this.members.update(id, Object.keys(merged.memberships), [], Number(expiresAt));
    }
    return merged;
  }

  async retire(profileId: string, intoId: string, expectedVersion: number): Promise<boolean> {
    assertProfileId(profileId);
    const keys = [
      this.keys.alias(profileId),
      this.keys.hash(profileId),
      this.keys.seen(profileId),
      this.keys.aliases(profileId),
    ];
    const args = [this.keys.base(profileId), intoId, this.options.anonymousTtlMs, expectedVersion];
    // Listed among the target's aliases before the alias exists, so erasing the target always
    // deletes it: absorb lists only ids that had data, and a device that never tracked is an
    // alias too (erasure would leave it linking that device to the user).
    await this.options.client.sadd(this.keys.aliases(intoId), profileId);
    const [retired, memberships] = asList(await this.scripts.run('retire', keys, args));
    if (Number(retired) !== 1) return false;
    await this.members.update(profileId, [], asStrings(memberships));
    return true;
  }

  erase(profileId: string): Promise<EraseResult> {
    return this.followAliases<EraseResult>(profileId, async (id) => {
      const keys = [this.keys.alias(id), this.keys.hash(id), this.keys.seen(id), this.keys.aliases(id)];
      const reply = asList(await this.scripts.run('erase', keys, [this.keys.base(id)]));
      if (reply[0] === 'alias') return { alias: String(reply[1]) };
      const flat = asStrings(reply[2]);
      const memberships: Record<string, MembershipState> = {};
      for (let i = 0; i < flat.length; i += 2) memberships[flat[i]!] = { since: Number(flat[i + 1]) };
      const aliases = asStrings(reply[3]);
      // Each alias key lives on its own slot: one DEL each, sent together with the index update.
      await Promise.all([
        ...aliases.map((alias) => this.options.client.del(this.keys.alias(alias))),
        this.members.update(id, [], Object.keys(memberships)),
      ]);
      return { value: { id, existed: Number(reply[1]) === 1, memberships, aliases } };
    });
  }

  countMembers(segmentKeys: readonly string[], now: EpochMs): Promise<Record<string, number>> {
    return this.members.count(segmentKeys, now);
  }

  async useOnce(nonce: string, until: EpochMs): Promise<boolean> {
    const set = await this.options.client.set(this.keys.once(nonce), '1', 'PXAT', Math.ceil(until), 'NX');
    return set === 'OK';
  }

  async close(): Promise<void> {
    // The connection belongs to whoever created it (see connection.ts).
  }

  private streamKeys(id: string, context: StoreContext): string[] {
    return context.streams.map((stream) => this.keys.stream(id, stream.id));
  }

  private decodeProfile(id: string, reply: Reply | undefined, context: StoreContext): ProfileRecord {
    const [hash, streams] = asList(reply);
    return decodeRecord(
      id,
      asStrings(hash),
      asList(streams).map((s) => asStrings(s)),
      context.streams,
    );
  }

  private profileReply(
    id: string,
    reply: Reply,
    at: number,
    context: StoreContext,
  ): ScriptOutcome<ProfileRecord> {
    const list = asList(reply);
    if (list[0] === 'alias') return { alias: String(list[1]) };
    return { value: this.decodeProfile(id, list[at], context) };
  }

  /** Runs `step` on the id, then on whatever the id turns out to be an alias of. */
  private async followAliases<T>(
    profileId: string,
    step: (id: string) => Promise<ScriptOutcome<T>>,
  ): Promise<T> {
    assertProfileId(profileId);
    let id = profileId;
    for (let hop = 0; hop <= MAX_ALIAS_HOPS; hop += 1) {
      const outcome = await step(id);
      if ('value' in outcome) return outcome.value;
      id = outcome.alias;
    }
    throw new Error(`profile aliases form a chain longer than ${MAX_ALIAS_HOPS} hops`);
  }
}

const indexesByStreams = new WeakMap<StoreContext['streams'], Map<string, number>>();

/** Stream id -> its 1-based position in the script's keys, computed once per rule set. */
function streamIndexes(streams: StoreContext['streams']): Map<string, number> {
  let indexes = indexesByStreams.get(streams);
  if (!indexes) {
    indexes = new Map(streams.map((stream, index) => [stream.id, index + 1]));
    indexesByStreams.set(streams, indexes);
  }
  return indexes;
}

/** Throws the `ProfileLimitError` a script answered `{'limit', name, max, actual}` with. */
function throwIfRefused(reply: Reply): void {
  const list = asList(reply);
  if (list[0] !== 'limit') return;
  const limit = String(list[1]);
  if (limit !== 'maxTraits' && limit !== 'maxTraitBytes') throw new Error(`unknown limit ${limit}`);
  throw new ProfileLimitError(limit, Number(list[2]), Number(list[3]));
}

function asList(reply: Reply | undefined): Reply[] {
  return Array.isArray(reply) ? reply : [];
}

function asStrings(reply: Reply | undefined): string[] {
  return asList(reply).map(String);
}

function pairsOf(flat: readonly string[]): Array<[string, number]> {
  const pairs: Array<[string, number]> = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, Number(flat[i + 1])]);
  return pairs;
}

function filterRetention(flat: readonly string[], since: number): string[] {
  const kept: string[] = [];
  for (let i = 0; i < flat.length; i += 2) if (Number(flat[i + 1]) > since) kept.push(flat[i]!, flat[i + 1]!);
  return kept;
}

function jsonFields(object: JsonObject): Record<string, string> {
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, JSON.stringify(v)]));
}
