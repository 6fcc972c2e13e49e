/**
 * Clients from a chosen loopback address (127.0.0.0/8 all reaches the server on 127.0.0.1), so an
 * abuser and a well-behaved client have different addresses, as they would on the Internet, and
 * per-address limits can be told apart from per-profile ones.
 */
import { request } from 'node:http';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { GraphQLResponse, TestServer } from '../../graphql/support/harness';

export interface Result {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** POSTs `body` (JSON-encoded unless a Buffer) to the server from `address`. */
export function postFrom(
  t: TestServer,
  address: string,
  body: unknown,
  token?: string,
  headers: Record<string, string> = {},
): Promise<Result> {
  const url = new URL(t.url);
  const payload = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: address,
        headers: {
          'content-type': 'application/json',
          'content-length': String(payload.length),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Omit<Result, 'status'> = {};
          try {
            parsed = text ? (JSON.parse(text) as Omit<Result, 'status'>) : {};
          } catch {
            parsed = { errors: [{ message: text }] };
          }
          resolve({ status: response.statusCode ?? 0, ...parsed });
        });
        response.on('error', reject);
      },
    );
    // A server that answers before reading the whole body (413) may reset the rest: that is an answer too.
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

/** An operation from `address`. */
export function gqlFrom(
  t: TestServer,
  address: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<Result> {
  return postFrom(t, address, { query, variables }, token);
}

/** A graphql-ws client connecting from `address` (dispose it, or the server's close ends it). */
export function wsClientFrom(t: TestServer, address: string, token: string): Client {
  class BoundWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { localAddress: address });
    }
  }
  return createClient({
    url: t.wsUrl,
    webSocketImpl: BoundWebSocket,
    lazy: true,
    retryAttempts: 0,
    connectionParams: { token },
  });
}

/** A raw graphql-transport-ws socket from `address`. */
export function rawFrom(t: TestServer, address: string): WebSocket {
  return new WebSocket(t.wsUrl, 'graphql-transport-ws', { localAddress: address });
}

/** Runs a query or mutation over a graphql-ws client: its one result. */
export function wsRequest(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Omit<GraphQLResponse, 'status' | 'headers'>> {
  return new Promise((resolve, reject) => {
    let result: Omit<GraphQLResponse, 'status' | 'headers'> | undefined;
    client.subscribe(
      { query, variables },
      {
        next: (value) => {
          result = value as Omit<GraphQLResponse, 'status' | 'headers'>;
        },
        // graphql-ws reports refusals of the operation (validation, limits) as an error of GraphQL errors.
        error: (error) =>
          Array.isArray(error)
            ? resolve({ errors: error as GraphQLResponse['errors'] })
            : reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: () => (result ? resolve(result) : reject(new Error('completed without a result'))),
      },
    );
  });
}
