/** The query → live subscription rewrite that makes `useLive(query)` typed like the query itself. */
import { parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { liveSubscriptionText, toLiveSubscription } from '../../client/src/live-document.js';

const same = (text: string): string => print(parse(text));

describe('toLiveSubscription', () => {
  it('wraps the selection under live and keeps the name and variables', () => {
    const query = parse('query Home($placement: String!) { banner(placement: $placement) { title } }');
    expect(print(toLiveSubscription(query))).toBe(
      same('subscription Home($placement: String!) { live { banner(placement: $placement) { title } } }'),
    );
  });

  it('keeps fragments, which stay valid because live is of type Query', () => {
    const text = liveSubscriptionText('query P { ...Page } fragment Page on Query { me { id } }');
    expect(text).toBe(same('subscription P { live { ...Page } } fragment Page on Query { me { id } }'));
  });

  it('leaves the input document untouched and caches per document', () => {
    const query = parse('query { me { id } }');
    const before = print(query);
    const first = liveSubscriptionText(query);
    expect(print(query)).toBe(before);
    expect(liveSubscriptionText(query)).toBe(first);
  });

  it('refuses mutations, subscriptions and ambiguous documents with a clear message', () => {
    expect(() => liveSubscriptionText('mutation { forgetMe }')).toThrow(/must be a query, got a mutation/);
    expect(() => liveSubscriptionText('query A { me { id } } query B { me { id } }')).toThrow(
      /exactly one operation, found 2/,
    );
    expect(() => liveSubscriptionText('fragment F on Query { me { id } }')).toThrow(
      /exactly one operation, found 0/,
    );
  });
});
