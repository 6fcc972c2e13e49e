/** `Query`: the caller's profile and the segments of the rule set in force. */
import type { QueryResolvers } from './__generated__/types';
import { admit, scopeOf } from './context';

export const Query: QueryResolvers = {
  me: (parent, _args, context) => {
    // A live query's re-executions are pushes the server decided to make, not calls: not charged.
    if (!parent?.scope) admit(context, 'me');
    return scopeOf(parent, context).profile();
  },
  segments: (_parent, _args, context) =>
    [...context.services.personalizer.rules.segments].sort((a, b) => b.priority - a.priority),
};
