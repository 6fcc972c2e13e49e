/**
 * Withdrawing behavioural consent over GraphQL deletes the stored context too: a membership built
 * on the context is exited, and the exit is pushed to the visitor's open subscription.
 */
import Redis from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { RuleSetSource } from '../../engine/types';
import { fixtureRules, Pushes, TestServer } from './support/harness';

const redis = inject('redisUrl');

function rulesWithMobile(): RuleSetSource {
  const rules = fixtureRules();
  rules.segments.push({
    key: 'mobile',
    name: 'Mobile',
    priority: 1,
    enabled: true,
    rule: { context: { 'device.type': 'mobile' } },
  });
  return rules;
}

const CHANGES = 'subscription { segmentsChanged { entered exited cause segments { key } } }';
type Change = { segmentsChanged: { entered: string[]; exited: string[]; cause: string } };

let t: TestServer;
beforeAll(async () => {
  t = await TestServer.start({ redis, rules: rulesWithMobile() });
});
afterAll(() => t.close());

it('setConsent(behavioral: false) exits a context-built membership and pushes the exit', async () => {
  const { token, profileId } = await t.session();
  const changes = new Pushes<Change>(t.client(token), CHANGES);
  expect((await changes.nextData()).segmentsChanged).toMatchObject({ cause: 'CURRENT', entered: [] });
  const tracked = await t.gql(
    'mutation($e: [EventInput!]!) { track(events: $e) { accepted entered } }',
    { e: [{ id: 'c1', type: 'Page Viewed', context: { device: { type: 'mobile' }, timezone: 'UTC' } }] },
    token,
  );
  expect(tracked.data).toEqual({ track: { accepted: 1, entered: ['mobile'] } });
  expect((await changes.nextData()).segmentsChanged).toMatchObject({ entered: ['mobile'] });

  const off = await t.gql(
    'mutation { setConsent(behavioral: false) { consent { behavioral } segments { key } } }',
    {},
    token,
  );
  expect(off.data).toEqual({ setConsent: { consent: { behavioral: false }, segments: [] } });
  expect((await changes.nextData()).segmentsChanged).toMatchObject({ exited: ['mobile'], cause: 'CONSENT' });
  const me = await t.gql('query { me { segments { key } } }', {}, token);
  expect(me.data).toEqual({ me: { segments: [] } });
  // Nothing of the context is left in the profile's hash.
  const admin = new Redis(redis);
  try {
    const keys = await admin.keys(`*{${profileId}}:h`);
    expect(keys).toHaveLength(1);
    const fields = await admin.hkeys(keys[0]!);
    expect(fields.filter((field) => field.startsWith('c:') || field === 'ca')).toEqual([]);
  } finally {
    admin.disconnect();
  }
});
