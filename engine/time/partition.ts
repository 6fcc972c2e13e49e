/**
 * Spreads due-set entries over a fixed number of partitions (`<prefix>:due:{<n>}` in Redis), so a
 * cluster holds them on several slots and no single key gets every write.
 */

/** The default number of partitions. Changing it strands scheduled entries: keep it fixed. */
export const DUE_PARTITIONS = 16;

/** The partition of a profile id (FNV-1a over UTF-16 code units: stable across processes). */
export function duePartition(profileId: string, partitions = DUE_PARTITIONS): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < profileId.length; i += 1) {
    hash ^= profileId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
