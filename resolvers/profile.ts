/** Field resolvers of the profile types: times as ISO strings, reasons as text and structure. */
import type { MembershipView } from '../engine/types';
import type {
  ConsentResolvers,
  PersonalizationResolvers,
  ProfileResolvers,
  SegmentChangeResolvers,
  SegmentMembershipResolvers,
  SessionResolvers,
  TrackResultResolvers,
} from './__generated__/types';
import { scopeOf } from './context';

export const Profile: ProfileResolvers = {
  userId: (profile) => profile.userId,
  traits: (profile) => profile.traits,
  clientTraits: (profile) => profile.clientTraits,
};

export const Consent: ConsentResolvers = {};

export const SegmentMembership: SegmentMembershipResolvers = {
  since: (membership) => new Date(membership.since).toISOString(),
  expiresAt: (membership) =>
    membership.expiresAt === null ? null : new Date(membership.expiresAt).toISOString(),
  reason: (membership) => membership.reason.text,
  explanation: (membership) => membership.reason,
};

const CAUSES = {
  current: 'CURRENT',
  event: 'EVENT',
  time: 'TIME',
  rules: 'RULES',
  merge: 'MERGE',
  consent: 'CONSENT',
  traits: 'TRAITS',
  forget: 'FORGET',
} as const;

export const SegmentChange: SegmentChangeResolvers = {
  cause: (change) => CAUSES[change.cause],
  at: (change) => new Date(change.at).toISOString(),
  reasons: (change) => change.reasons,
  reason(change) {
    if (change.cause === 'current') return 'current state';
    const lines = [
      ...change.entered.map((key) => `entered ${key}: ${change.reasons[key]?.text ?? change.cause}`),
      ...change.exited.map((key) => `left ${key}: ${change.reasons[key]?.text ?? change.cause}`),
    ];
    return lines.length > 0 ? lines.join('\n') : `no change (${change.cause})`;
  },
};

export const Session: SessionResolvers = {
  expiresAt: (session) => new Date(session.expiresAt).toISOString(),
};

export const TrackResult: TrackResultResolvers = {
  async segments(result, _args, context): Promise<MembershipView[]> {
    return result.segments ?? (await scopeOf(undefined, context).profile()).segments;
  },
};

export const Personalization: PersonalizationResolvers = {};
