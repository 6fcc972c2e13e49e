/**
 * Identify: merges an anonymous profile into its user's (export, absorb, retire, announce) and
 * sets the user's traits. Order matters for crash safety: absorb (idempotent), then retire
 * (alias + delete, only if no event arrived since the export), then announce. A retry after a
 * crash, or after events raced the merge, repeats harmless steps and counts nothing twice.
 */
import type { ChangeBus } from './bus/types';
import { CLIENT_TRAITS_KEY } from './store/traits';
import { isUserProfileId, userProfileId } from './store/profile-id';
import type { ProfileExport, ProfileRecord, ProfileStore, StoreContext } from './store/types';
import type { DueSet } from './time/due-set';
import type { ChangeCause, Identification, JsonObject, ProfileView } from './types';

/** How often a merge is retried when events keep arriving on the anonymous profile meanwhile. */
const MAX_MERGE_ATTEMPTS = 5;

export interface MergeParts {
  store: ProfileStore;
  dueSet: DueSet;
  bus: ChangeBus;
  /** The write protocol's `storedView`. */
  storedView(record: ProfileRecord, causeOf: (record: ProfileRecord) => ChangeCause): Promise<ProfileView>;
  /** Drops every process's copy of a profile (the fast path's `dropCopies`). */
  dropCopies(...profileIds: string[]): Promise<void>;
}

/** `Personalizer.identify` on checked arguments. */
export async function identify(
  parts: MergeParts,
  context: StoreContext,
  callerId: string,
  userId: string,
  serverTraits: JsonObject,
  clientTraits: JsonObject | undefined,
): Promise<Identification> {
  // Each identify's browser-sent traits replace the previous ones, as one reserved trait.
  const traits =
    clientTraits === undefined ? serverTraits : { ...serverTraits, [CLIENT_TRAITS_KEY]: clientTraits };
  const userProfile = userProfileId(userId);
  // Only an anonymous profile is ever merged. A caller whose id already is (or, through an
  // alias, resolves to) a user's profile is that user's device: identifying as another user
  // (a shared computer) leaves the first user's profile, aliases and devices untouched, and
  // only the second user's profile is read and given the traits.
  const anonymous = !isUserProfileId(callerId);
  let source: ProfileExport | null = null;
  let resolvedFrom = callerId;
  let merged = false;
  let record: ProfileRecord | undefined;
  for (let attempt = 0; attempt < MAX_MERGE_ATTEMPTS && !record; attempt += 1) {
    source = anonymous ? await parts.store.exportProfile(callerId, context) : null;
    resolvedFrom = source?.id ?? callerId;
    const mergeable = anonymous && !(source && ownedByUser(source));
    merged = mergeable;
    if (!mergeable) source = null; // identify only sets traits
    const absorbed = await parts.store.absorb(userProfile, userId, source, traits, context);
    // Even an id with nothing stored becomes an alias: its later events go to the user.
    const retired = mergeable ? (source?.id ?? callerId) : null;
    if (retired === null || (await parts.store.retire(retired, userProfile, source?.record.version ?? 0))) {
      if (retired !== null) await Promise.all([parts.dueSet.remove(retired), parts.dropCopies(retired)]);
      record = absorbed;
    }
  }
  if (!record) throw new Error('the anonymous profile kept receiving events during the merge; try again');
  const view = await parts.storedView(record, () => 'merge');
  if (source) {
    await parts.bus.publishChange({
      profileId: source.id,
      entered: [],
      exited: [],
      segments: view.segments,
      reasons: {},
      cause: 'merge',
      at: context.now,
      mergedInto: userProfile,
    });
  }
  return { profile: view, merged, resolvedFrom };
}

/** Whether an exported profile is (or an alias led to) a user's profile rather than an anonymous one. */
function ownedByUser(source: ProfileExport): boolean {
  return isUserProfileId(source.id) || source.record.userId !== null;
}
