/**
 * The live queries open on this instance, so changes that are not the visitor's own (content
 * published or edited, segment definitions changed) reach exactly the live queries they affect.
 * Membership changes do not go through here: each live query follows its visitor directly.
 * After the change bus lost its link and got it back, every live query and every
 * `segmentsChanged` subscription here re-reads its visitor: changes announced meanwhile were lost.
 */
import type { LiveQuery, LiveQueries } from '../../resolvers/services';

export class LiveRegistry implements LiveQueries {
  private readonly queries = new Set<LiveQuery>();
  /** Re-reads of the subscriptions that are not live queries (`segmentsChanged`). */
  private readonly followers = new Set<() => void>();

  /** Adds a live query; returns its removal. */
  add(query: LiveQuery): () => void {
    this.queries.add(query);
    return () => this.queries.delete(query);
  }

  /** Adds what a `segmentsChanged` subscription does to catch up after a bus reconnect; returns its removal. */
  addFollower(resync: () => void): () => void {
    this.followers.add(resync);
    return () => this.followers.delete(resync);
  }

  /** Number of open live queries. */
  get size(): number {
    return this.queries.size;
  }

  /** Content of these types changed: re-executes the live queries that read any of them (all for `'all'`). */
  contentChanged(uids: readonly string[] | 'all'): number {
    let triggered = 0;
    for (const query of this.queries) {
      if (uids === 'all' || uids.some((uid) => query.reads.has(uid))) {
        query.trigger();
        triggered++;
      }
    }
    return triggered;
  }

  /** Segment definitions changed: every live query re-reads its profile and re-executes. */
  rulesChanged(): void {
    this.rereadProfiles();
  }

  /** The change bus is back after a drop: every live query and follower re-reads its profile. */
  resubscribed(): void {
    this.rereadProfiles();
    for (const resync of [...this.followers]) resync();
  }

  private rereadProfiles(): void {
    for (const query of this.queries) {
      query.forgetProfile();
      query.trigger();
    }
  }
}
