/**
 * The live queries open on this instance, so changes that are not the visitor's own (content
 * published or edited, segment definitions changed) reach exactly the live queries they affect.
 * Membership changes do not go through here: each live query follows its visitor directly.
 */

/** What the registry needs of one live query. */
export interface LiveQuery {
  /** Content type uids the last execution read. */
  readonly reads: ReadonlySet<string>;
  /** Re-executes (coalesced: several triggers before the next execution make one). */
  trigger(): void;
  /** Forgets what the query knew about the visitor's profile (rules changed: re-read it). */
  forgetProfile(): void;
}

export class LiveRegistry {
  private readonly queries = new Set<LiveQuery>();

  /** Adds a live query; returns its removal. */
  add(query: LiveQuery): () => void {
    this.queries.add(query);
    return () => this.queries.delete(query);
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
    for (const query of this.queries) {
      query.forgetProfile();
      query.trigger();
    }
  }
}
