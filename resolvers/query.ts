/** `Query`: the caller's profile and the segments of the rule set in force. */
import type { QueryResolvers } from './__generated__/types';
import { scopeOf } from './context';

export const Query: QueryResolvers = {
  me: (parent, _args, context) => scopeOf(parent, context).profile(),
  segments: (_parent, _args, context) =>
    [...context.services.personalizer.rules.segments].sort((a, b) => b.priority - a.priority),
};
