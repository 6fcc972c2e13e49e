/**
 * The replies of the scripts whose shape is more than a profile, decoded by name in one place
 * (the shapes are in each script's header: lua/ingest.lua, lua/commit.lua).
 */
import type { Reply } from './scripts';

/** What `write_outcome` (lua/includes/profile.lua) reports of a written outcome. */
export interface WrittenOutcome {
  expiresAt: Reply | undefined;
  entered: Reply | undefined;
  exited: Reply | undefined;
}

/** `ingest.lua`'s reply when the id was not merged away (`{'ok', ...}`). */
export interface IngestReply {
  accepted: number;
  duplicates: number;
  withheld: number;
  profile: Reply | undefined;
  proposalCommitted: boolean;
  /** Present only with `proposalCommitted`. */
  written: WrittenOutcome;
}

export function decodeIngestReply(reply: Reply[]): IngestReply {
  const [, accepted, duplicates, withheld, profile, committed, ...written] = reply;
  return {
    accepted: Number(accepted),
    duplicates: Number(duplicates),
    withheld: Number(withheld),
    profile,
    proposalCommitted: Number(committed) === 1,
    written: decodeWritten(written),
  };
}

/** `commit.lua`'s reply when the version matched (`{1, expiresAt, entered, exited}`). */
export function decodeCommitReply(reply: Reply[]): WrittenOutcome {
  return decodeWritten(reply.slice(1));
}

function decodeWritten([expiresAt, entered, exited]: Reply[]): WrittenOutcome {
  return { expiresAt, entered, exited };
}
