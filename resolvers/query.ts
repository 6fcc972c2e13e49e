/** `Query`: the caller's profile and the segments of the rule set in force. */
import type { QueryResolvers } from './__generated__/types';
import { admit, scopeOf } from './context';

export const Query: QueryResolvers = {
  me: (parent, _args, context) => {
    // A live query's re-executions are pushes the server decided to make, not calls: not charged.
    if (!parent?.scope) admit(context, 'me');
    return scopeOf(parent, context).profile();
  },
  // Public fields only, built afresh: anyone may ask, and a disabled segment is not theirs to see.
  segments: (_parent, _args, context) =>
    context.services.personalizer.rules.segments
      .filter((segment) => segment.enabled)
      .map(({ key, name, priority }) => ({ key, name, priority }))
      .sort((a, b) => b.priority - a.priority),
};
