/**
 * A socket that stops reading must not make the server queue results for it: pushes coalesce to
 * the latest, and once the reader resumes it gets the current state, not a backlog. Meanwhile
 * the server holds at most about one push for it, and other subscribers are served as usual.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Socket } from 'node:net';
import { Pushes, TestServer } from './support/harness';

let t: TestServer;
beforeAll(async () => {
  t = await TestServer.start({ redis: inject('redisUrl') });
  // Large results (~1 MB per push), so a reader that stops fills the socket buffers quickly.
  await t.addBulkArticles();
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

it('holds at most about one push for a stalled reader, and other subscribers get every change in time', async () => {
  // The server side of each TCP connection, by the client's port.
  const serverSockets = new Map<number, Socket>();
  const onConnection = (socket: Socket) => serverSockets.set(socket.remotePort!, socket);
  t.http.on('connection', onConnection);

  const stalled = await t.session();
  const socket = t.raw();
  let pushBytes = 0;
  const firstPush = new Promise<void>((resolve) =>
    socket.on('message', (raw: Buffer) => {
      const message = JSON.parse(String(raw)) as { type: string };
      if (message.type === 'connection_ack')
        socket.send(
          JSON.stringify({
            id: 'big',
            type: 'subscribe',
            payload: { query: 'subscription { live { articles(limit: 1000) { title summary } } }' },
          }),
        );
      if (message.type === 'next' && pushBytes === 0) {
        pushBytes = raw.length;
        resolve();
      }
    }),
  );
  socket.once('open', () =>
    socket.send(JSON.stringify({ type: 'connection_init', payload: { token: stalled.token } })),
  );
  await firstPush;
  const tcp = (socket as unknown as { _socket: Socket })._socket;
  const serverSide = serverSockets.get(tcp.localPort!)!;
  t.http.off('connection', onConnection);
  tcp.pause();

  // Another visitor reading the same content, on its own socket, reading promptly.
  const other = await t.session();
  const live = new Pushes<{ live: { articles: Array<{ title: string }> } }>(
    t.client(other.token),
    'subscription { live { articles(limit: 1) { title } } }',
  );
  await live.nextData();
  const edits = 20;
  let mostHeld = 0;
  for (let edit = 1; edit <= edits; edit++) {
    t.editDocuments('api::article.article', (documents) =>
      documents.map((doc, index) => (index === 0 ? { ...doc, title: `stalled ${edit}` } : doc)),
    );
    await t.server.refreshContent({ kind: 'documents', uid: 'api::article.article' });
    // Served as if nobody were stalled: each change arrives within the 2 s deadline.
    expect((await live.nextData(2000)).live.articles[0]!.title).toBe(`stalled ${edit}`);
    mostHeld = Math.max(mostHeld, serverSide.writableLength);
  }
  // Bytes the server queued for the stalled reader (beyond what the kernel took): about one push,
  // never the ~20 pushes an unbounded queue would hold.
  expect(pushBytes).toBeGreaterThan(500_000);
  expect(mostHeld).toBeGreaterThan(0); // the reader really stalled: the kernel's buffers were full
  expect(mostHeld).toBeLessThanOrEqual(2 * pushBytes);
  tcp.resume();
});
