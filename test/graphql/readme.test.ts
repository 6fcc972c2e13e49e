/**
 * The top README's GraphQL tour, run as written against a real server (HTTP and WebSocket, real
 * Redis), in order: every operation answers without errors. The identify assertion is the one
 * placeholder: a real one, as the site's backend signs it, takes its place.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Kind, parse, print, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { assertionFor, Pushes, TestServer } from './support/harness';

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const ASSERTION_PLACEHOLDER = '"eyJhbGciOiJIUzI1NiJ9..."';

let t: TestServer;
beforeAll(async () => {
  t = await TestServer.start({ redis: inject('redisUrl') });
});
afterAll(() => t.close());

describe('README: the GraphQL API', () => {
  it('runs every operation of the tour, in order', async () => {
    const block = /## The GraphQL API[\s\S]*?```graphql\n([\s\S]*?)```/.exec(README)?.[1];
    expect(block).toBeDefined();
    const operations = parse(block!).definitions.filter(
      (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
    );
    expect(operations.map((operation) => operation.operation)).toContain('subscription');
    let token: string | undefined;
    const userId = `readme-${randomUUID()}`;
    for (const operation of operations) {
      let text = print(operation);
      if (text.includes(ASSERTION_PLACEHOLDER))
        text = text.replace(ASSERTION_PLACEHOLDER, JSON.stringify(await assertionFor(userId)));
      if (operation.operation === 'subscription') {
        const pushes = new Pushes(t.client(token), text);
        expect((await pushes.next()).errors, text).toBeUndefined();
        pushes.unsubscribe();
        continue;
      }
      const response = await t.gql(text, {}, token);
      expect(response.errors, text).toBeUndefined();
      const data = response.data as Record<string, { token?: string; session?: { token: string } }>;
      // The token startSession gives, then the one identify gives: as the README says.
      token = data.startSession?.token ?? data.identify?.session?.token ?? token;
    }
    expect(token).toBeDefined();
  });
});
