/**
 * Key and channel names. Every key of one profile carries the `{profileId}` hash tag, so all of
 * them live on one cluster slot and a per-profile Lua script may touch any of them:
 *
 *   <p>:{<id>}:h          hash: version, rules version, memberships, traits, context, consent...
 *   <p>:{<id>}:seen       zset: event id -> timestamp (de-duplication, trimmed by age)
 *   <p>:{<id>}:s:<stream> zset: `<eventId>` or `<eventId>\x1f<value>` -> timestamp
 *   <p>:{<id>}:aliases    set: ids that were merged into this profile
 *   <p>:{<id>}:alias      string: the profile this id was merged into (the id has no data left)
 *   <p>:{<id>}:ch         pub/sub channel of the profile's segment changes
 *
 * The membership index is cross-profile, so it cannot live in a profile's slot: it is split into
 * fixed partitions with a hash tag of their own (see `member-index.ts`):
 *
 *   <p>:members:{p<n>}:<segment>  zset: profile id -> when to re-check the entry (its expiry)
 *
 * Single-use nonces (identity assertion ids) are keys of their own, expiring with what they name:
 *
 *   <p>:once:<nonce>      string: present while the nonce is used up
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** The common start of a profile's keys, used by scripts to name its stream keys. */
  base(id: string): string {
    return `${this.prefix}:{${id}}:`;
  }
  hash(id: string): string {
    return `${this.base(id)}h`;
  }
  seen(id: string): string {
    return `${this.base(id)}seen`;
  }
  stream(id: string, streamId: string): string {
    return `${this.base(id)}s:${streamId}`;
  }
  aliases(id: string): string {
    return `${this.base(id)}aliases`;
  }
  alias(id: string): string {
    return `${this.base(id)}alias`;
  }
  channel(id: string): string {
    return `${this.base(id)}ch`;
  }
  once(nonce: string): string {
    return `${this.prefix}:once:${nonce}`;
  }
  /** The members of `segmentKey` whose profile ids fall in `partition`. */
  members(partition: number, segmentKey: string): string {
    return `${this.prefix}:members:{p${partition}}:${segmentKey}`;
  }
}
