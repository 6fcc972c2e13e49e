/**
 * The hourly membership-index sweep. Counting segment members (`store.countMembers`) is what
 * re-checks the index entries whose time has come, so the entries of expired profiles leave it;
 * a started Personalizer counts once an hour even if nobody asks, so the index stays bounded.
 */
const MEMBER_INDEX_SWEEP_MS = 60 * 60 * 1000;

/** Runs `countMembers` every hour (not keeping the process alive); a failure is logged. */
export function startMemberIndexSweep(
  countMembers: () => Promise<unknown>,
  logger: Pick<Console, 'warn'>,
): NodeJS.Timeout {
  return setInterval(() => {
    countMembers().catch((error: unknown) =>
      logger.warn(`personalize: sweeping the membership index failed: ${String(error)}`),
    );
  }, MEMBER_INDEX_SWEEP_MS).unref();
}
