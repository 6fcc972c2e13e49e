/**
 * One load generator process of `npm run bench -- load` (forked by bench/load.ts, talks over IPC):
 * owns a slice of the visitors, each with its own signed token, its own WebSocket and one `live`
 * subscription (graphql-ws, as the client package does it), and sends their `track` calls and page
 * queries over keep-alive HTTP at fixed per-visitor rates, each visitor at its own random phase.
 *
 * Kept out of the parent so that generating load does not share an event loop with the report,
 * nor (with two of them) with each other: a generator that falls behind shows in `lagMs`.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { TokenSigner } from '../../server/tokens';
import {
  enteredBy,
  eventOf,
  eventsPerVisitor,
  LIVE_QUERY,
  PAGE_QUERY,
  TRACK_MUTATION,
  type FromGenerator,
  type GeneratorResult,
  type GeneratorSetup,
  type ToGenerator,
} from './plan';

interface Visitor {
  /** Global index in the run: drives the schedule (see plan.ts). */
  index: number;
  token: string;
  socket: WebSocket | null;
  /** The change a sent `track` should push: the banner's segment, and when the track was sent. */
  awaiting: { segment: string; sentAt: number } | null;
}

/** One scheduled request: `at` ms after the start of the steady phase. */
interface Action {
  at: number;
  visitor: Visitor;
  /** Event number, or -1 for a query. */
  event: number;
}

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: unknown[];
}

const send = (message: FromGenerator): void => void process.send!(message);

class Generator {
  private readonly visitors: Visitor[] = [];
  private readonly agent: Agent;
  private readonly events: number;
  private stopping = false;
  private inFlight = 0;
  private readonly result: GeneratorResult = {
    connected: 0,
    rampSeconds: 0,
    tracks: 0,
    queries: 0,
    failedRequests: 0,
    wrongOutcomes: 0,
    racedOutcomes: 0,
    refusedSockets: 0,
    socketCloses: 0,
    expectedPushes: 0,
    missedPushes: 0,
    unexpectedPushes: 0,
    errorSamples: [],
    pushMs: [],
    trackMs: [],
    queryMs: [],
    lagMs: [],
    cpuMs: 0,
  };

  constructor(private readonly setup: GeneratorSetup) {
    // Idle connections are closed here after 4 s, before the server's 5 s keep-alive timeout: else
    // a request can be written on a connection the server is closing (ECONNRESET), which browsers
    // retry but this generator would count as a failure. `fifo` spreads requests over every pooled
    // connection, so none sits idle long enough to be closed and reopened mid-run (with Node's
    // default `lifo` the least used ones time out, and each burst then pays new handshakes).
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: setup.maxSockets,
      timeout: 4000,
      scheduling: 'fifo',
    });
    this.events = eventsPerVisitor(setup.durationS, setup.eventsPerMin);
    const tokens = new TokenSigner({ secrets: [setup.secret], clock: { now: Date.now } });
    for (let offset = 0; offset < setup.count; offset++) {
      const index = setup.first + offset;
      const { token } = tokens.issue(`anon:load-${setup.run}-${index}`);
      this.visitors.push({ index, token, socket: null, awaiting: null });
    }
  }

  /** Opens every visitor's socket and live subscription, `connectBatch` handshakes at a time. */
  async ramp(): Promise<FromGenerator> {
    const started = performance.now();
    const { connectBatch } = this.setup;
    for (let at = 0; at < this.visitors.length; at += connectBatch) {
      const opened = await Promise.all(this.visitors.slice(at, at + connectBatch).map((v) => this.open(v)));
      for (const ok of opened) {
        if (ok) this.result.connected++;
        else this.result.refusedSockets++;
      }
    }
    this.result.rampSeconds = (performance.now() - started) / 1000;
    const { connected, refusedSockets, rampSeconds } = this.result;
    return { type: 'ready', connected, refusedSockets, rampSeconds };
  }

  /**
   * Opens the HTTP connection pool before the measured phase, as a running site has it: one
   * request per pooled connection, all at once (a failure counts as an error). Without it the
   * first requests of the steady phase would each wait for a new connection to be accepted,
   * together with every other generator's, which is the ramp's cost, not the steady state's.
   */
  async warm(): Promise<FromGenerator> {
    const body = JSON.stringify({ query: '{ __typename }' });
    const token = this.visitors[0]!.token;
    await Promise.all(
      Array.from(
        { length: this.setup.maxSockets },
        () => new Promise<void>((resolve) => this.post(body, token, () => resolve(), resolve)),
      ),
    );
    return { type: 'warmed' };
  }

  /** Runs the steady phase from epoch ms `at`, waits for the drain, returns the figures. */
  async steady(at: number): Promise<GeneratorResult> {
    const actions = this.schedule();
    const origin = performance.now() + (at - Date.now());
    let cpu = process.cpuUsage();
    await new Promise<void>((resolve) => {
      let next = 0;
      const pump = (): void => {
        const now = performance.now() - origin;
        if (next === 0 && now >= 0) cpu = process.cpuUsage();
        while (next < actions.length && actions[next]!.at <= now) {
          const action = actions[next++]!;
          this.result.lagMs.push(now - action.at);
          if (action.event < 0) this.query(action.visitor);
          else this.track(action.visitor, action.event);
        }
        if (next < actions.length) setTimeout(pump, actions[next]!.at - (performance.now() - origin));
        else resolve();
      };
      setTimeout(pump, Math.max(0, -(performance.now() - origin)));
    });
    const used = process.cpuUsage(cpu);
    this.result.cpuMs = (used.user + used.system) / 1000;
    const deadline = performance.now() + this.setup.drainMs;
    while (performance.now() < deadline && (this.inFlight > 0 || this.visitors.some((v) => v.awaiting)))
      await new Promise((resolve) => setTimeout(resolve, 20));
    for (const visitor of this.visitors) if (visitor.awaiting) this.result.missedPushes++;
    return this.result;
  }

  /** Ends the run: sockets closed by us are not errors. */
  stop(): void {
    this.stopping = true;
    for (const visitor of this.visitors) visitor.socket?.terminate();
    this.agent.destroy();
  }

  /** Every request of the steady phase, in time order; connected visitors only. */
  private schedule(): Action[] {
    const { durationS, eventsPerMin, queriesPerMin } = this.setup;
    const eventEvery = 60_000 / eventsPerMin;
    const queryEvery = 60_000 / queriesPerMin;
    const actions: Action[] = [];
    for (const visitor of this.visitors) {
      if (!visitor.socket) continue;
      const eventPhase = Math.random() * eventEvery;
      for (let k = 0; k < this.events; k++)
        actions.push({ at: eventPhase + k * eventEvery, visitor, event: k });
      const queryPhase = Math.random() * queryEvery;
      for (let at = queryPhase; at < durationS * 1000; at += queryEvery)
        actions.push({ at, visitor, event: -1 });
    }
    return actions.sort((a, b) => a.at - b.at);
  }

  private track(visitor: Visitor, k: number): void {
    const sentAt = performance.now();
    const entered = enteredBy(visitor.index, k, this.events);
    if (entered) {
      // A change still unpushed when the next one is sent is coalesced by the server: missed.
      if (visitor.awaiting) this.result.missedPushes++;
      visitor.awaiting = { segment: entered, sentAt };
      this.result.expectedPushes++;
    }
    const event = eventOf(visitor.index, k, this.events, `load-${this.setup.run}-${visitor.index}-${k}`);
    const body = JSON.stringify({ query: TRACK_MUTATION, variables: { events: [event] } });
    this.post(body, visitor.token, (data) => {
      this.result.tracks++;
      this.result.trackMs.push(performance.now() - sentAt);
      const { entered: got } = (data.track ?? {}) as { entered?: string[] };
      if (entered && (got ?? []).length === 0) this.result.racedOutcomes++;
      else if ((got ?? []).join() !== (entered ?? '')) {
        this.result.wrongOutcomes++;
        this.note(
          `visitor ${visitor.index} event ${k}: entered [${got?.join()}], expected [${entered ?? ''}]`,
        );
      }
    });
  }

  private query(visitor: Visitor): void {
    const sentAt = performance.now();
    this.post(JSON.stringify({ query: PAGE_QUERY }), visitor.token, () => {
      this.result.queries++;
      this.result.queryMs.push(performance.now() - sentAt);
    });
  }

  /**
   * POSTs a GraphQL body; `ok` gets the data of a 200 without errors, anything else is a failure
   * (counted, then `onFailure`).
   */
  private post(
    body: string,
    token: string,
    ok: (data: Record<string, unknown>) => void,
    onFailure: () => void = () => {},
  ): void {
    this.inFlight++;
    const failed = (why: string): void => {
      this.result.failedRequests++;
      this.note(why);
      this.inFlight--;
      onFailure();
    };
    const url = new URL(this.setup.httpUrl);
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent: this.agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => failed(`response: ${error.message}`));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: GraphQLBody;
          try {
            parsed = JSON.parse(text) as GraphQLBody;
          } catch {
            return failed(`HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
          }
          if (response.statusCode !== 200 || parsed.errors || !parsed.data)
            return failed(`HTTP ${response.statusCode}: ${text.slice(0, 300)}`);
          this.inFlight--;
          ok(parsed.data);
        });
      },
    );
    outgoing.on('error', (error) => failed(`request: ${error.message}`));
    outgoing.end(body);
  }

  /** One visitor's socket: `connection_init`, the live subscription, its first result; false if refused. */
  private open(visitor: Visitor): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = new WebSocket(this.setup.wsUrl, 'graphql-transport-ws', { perMessageDeflate: false });
      const giveUp = setTimeout(() => socket.terminate(), 30_000);
      let ready = false;
      socket.once('open', () =>
        socket.send(JSON.stringify({ type: 'connection_init', payload: { token: visitor.token } })),
      );
      socket.on('message', (raw) => {
        const message = JSON.parse(String(raw)) as { type: string; payload?: GraphQLBody };
        if (ready) return this.pushed(visitor, message);
        if (message.type === 'connection_ack')
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: LIVE_QUERY } }));
        else if (message.type === 'next' && !message.payload?.errors) {
          ready = true;
          clearTimeout(giveUp);
          visitor.socket = socket;
          resolve(true);
        } else socket.terminate();
      });
      // Every error is followed by `close`, where it is counted.
      socket.on('error', () => {});
      socket.once('close', (code, reason) => {
        clearTimeout(giveUp);
        if (!ready) resolve(false);
        else if (!this.stopping) {
          this.result.socketCloses++;
          this.note(`visitor ${visitor.index} socket closed: ${code} ${String(reason)}`);
        }
      });
    });
  }

  /** A frame after the first result: the push a `track` caused, or an error. */
  private pushed(visitor: Visitor, message: { type: string; payload?: GraphQLBody }): void {
    const at = performance.now();
    if (message.type !== 'next' || message.payload?.errors) {
      this.result.failedRequests++;
      this.note(`visitor ${visitor.index} socket: ${JSON.stringify(message).slice(0, 300)}`);
      return;
    }
    const live = message.payload?.data?.live as { banner?: { personalization?: { segment?: string } } };
    const segment = live?.banner?.personalization?.segment;
    if (visitor.awaiting && visitor.awaiting.segment === segment) {
      this.result.pushMs.push(at - visitor.awaiting.sentAt);
      visitor.awaiting = null;
    } else {
      this.result.unexpectedPushes++;
      this.note(
        `visitor ${visitor.index}: push of ${segment}, awaiting ${visitor.awaiting?.segment ?? 'none'}`,
      );
    }
  }

  private note(error: string): void {
    if (this.result.errorSamples.length < 5) this.result.errorSamples.push(error);
  }
}

let generator: Generator | null = null;
process.on('message', (message: ToGenerator) => {
  if (message.type === 'setup') {
    generator = new Generator(message.setup);
    void generator.ramp().then(send);
  } else if (message.type === 'warm') {
    void generator!.warm().then(send);
  } else if (message.type === 'start') {
    void generator!.steady(message.at).then((result) => send({ type: 'result', result }));
  } else {
    generator?.stop();
    process.exit(0);
  }
});
