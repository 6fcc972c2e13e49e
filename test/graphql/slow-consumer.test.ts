/**
 * A socket that stops reading must not make the server queue results for it: pushes coalesce to
 * the latest, and once the reader resumes it gets the current state, not a backlog.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Socket } from 'node:net';
import { TestServer } from './support/harness';

let t: TestServer;
beforeAll(async () => {
  t = await TestServer.start({ redis: inject('redisUrl') });
  // Large results (~1 MB per push), so a reader that stops fills the socket buffers quickly.
  t.editDocuments('api::article.article', (documents) => [
    ...documents,
    ...Array.from({ length: 400 }, (_, index) => ({
      documentId: `bulk-${index}`,
      locale: null,
      publishedAt: '2026-01-01T00:00:00.000Z',
      title: `Bulk ${index}`,
      slug: `bulk-${index}`,
      category: 'tech',
      summary: 'x'.repeat(2500),
      segments: [],
    })),
  ]);
  await t.server.refreshContent({ kind: 'documents', uid: 'api::article.article' });
});
afterAll(() => t.close());

it('coalesces pushes for a reader that does not read, then delivers the latest state', async () => {
  const { token } = await t.session();
  const socket = t.raw();
  const received: Array<{ version: string }> = [];
  let resolveFirst: () => void;
  const first = new Promise<void>((resolve) => (resolveFirst = resolve));
  socket.on('message', (raw) => {
    const message = JSON.parse(String(raw)) as {
      type: string;
      payload?: { data?: { live: { articles: Array<{ title: string }> } } };
    };
    if (message.type === 'connection_ack')
      socket.send(
        JSON.stringify({
          id: 'big',
          type: 'subscribe',
          payload: { query: 'subscription { live { articles(limit: 1000) { title summary } } }' },
        }),
      );
    if (message.type === 'next') {
      received.push({ version: message.payload!.data!.live.articles[0]!.title });
      resolveFirst();
    }
  });
  socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { token } })));
  await first;

  // Stop reading: the client's TCP socket is paused, the kernel buffers fill up.
  const tcp = (socket as unknown as { _socket: Socket })._socket;
  tcp.pause();
  const edits = 30;
  for (let edit = 1; edit <= edits; edit++) {
    t.editDocuments('api::article.article', (documents) =>
      documents.map((doc, index) => (index === 0 ? { ...doc, title: `edit ${edit}` } : doc)),
    );
    await t.server.refreshContent({ kind: 'documents', uid: 'api::article.article' });
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  tcp.resume();

  const deadline = Date.now() + 10_000;
  while (received.at(-1)?.version !== `edit ${edits}` && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  expect(received.at(-1)?.version).toBe(`edit ${edits}`);
  // Far fewer pushes than edits: the ones the reader could not take were folded into the latest.
  expect(received.length).toBeLessThan(edits / 2);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(received.at(-1)?.version).toBe(`edit ${edits}`);
});
