/**
 * The stream registry built while compiling: one stream per distinct (selector, carried value)
 * pair, whatever number of conditions use it, retained for the longest window among them. Stream
 * ids hash the selector and carried value only (never the retention), so editing a threshold or a
 * window keeps the history already stored.
 */
import { createHash } from 'node:crypto';
import type { StreamEntry, StreamSpec, VisitorEvent } from '../types';
import type { Selector } from './selector';

/**
 * What a stream's entries carry: nothing, a number (`sum`: only events whose property is a finite
 * number enter), or a JSON scalar (`distinct`, `count ... per`: only events where it is a string,
 * number or boolean enter).
 */
export type Carry =
  { kind: 'none' } | { kind: 'number' | 'json'; property: string; read(properties: unknown): unknown };

/** A stream as the compiler knows it; `spec` is what the store sees. */
export interface StreamDefinition {
  spec: StreamSpec;
  selector: Selector;
  carry: Carry;
}

/** Collects streams during compilation; `use` returns the shared definition for a selector. */
export class StreamRegistry {
  private readonly byKey = new Map<string, StreamDefinition>();

  /** The stream for `selector` carrying `carry`, kept at least `retentionMs` (and first/last if asked). */
  use(selector: Selector, carry: Carry, retentionMs: number, keepFirstLast: boolean): StreamDefinition {
    const carried = carry.kind === 'none' ? '' : `${carry.kind}:${carry.property}`;
    const key = `${selector.canonical}|${carried}`;
    let stream = this.byKey.get(key);
    if (!stream) {
      stream = {
        selector,
        carry,
        spec: {
          id: `s_${createHash('sha256').update(key).digest('base64url').slice(0, 12)}`,
          retentionMs: 0,
          keepFirstLast: false,
          carriesValue: carry.kind !== 'none',
          description:
            carry.kind === 'none' ? selector.description : `${selector.description} (${carry.property})`,
        },
      };
      this.byKey.set(key, stream);
    }
    stream.spec.retentionMs = Math.max(stream.spec.retentionMs, retentionMs);
    stream.spec.keepFirstLast ||= keepFirstLast;
    return stream;
  }

  /** Every stream, in a stable order (by id). */
  all(): StreamDefinition[] {
    return [...this.byKey.values()].sort((a, b) =>
      a.spec.id < b.spec.id ? -1 : a.spec.id > b.spec.id ? 1 : 0,
    );
  }
}

/**
 * Builds the router: event -> entries. Streams are indexed by event name so an event only tests
 * the selectors that name it (plus the `*` ones).
 */
export function buildRouter(streams: StreamDefinition[]): (event: VisitorEvent) => StreamEntry[] {
  const byName = new Map<string, StreamDefinition[]>();
  const wildcard: StreamDefinition[] = [];
  for (const stream of streams) {
    const name = stream.selector.event;
    if (name === '*') wildcard.push(stream);
    else byName.set(name, [...(byName.get(name) ?? []), stream]);
  }
  return (event) => {
    const entries: StreamEntry[] = [];
    const named = byName.get(event.type);
    if (named) addEntries(named, event, entries);
    if (wildcard.length > 0) addEntries(wildcard, event, entries);
    return entries;
  };
}

function addEntries(streams: StreamDefinition[], event: VisitorEvent, into: StreamEntry[]): void {
  for (const stream of streams) {
    if (!stream.selector.matches(event)) continue;
    const { carry } = stream;
    if (carry.kind === 'none') {
      into.push({ stream: stream.spec.id });
      continue;
    }
    const value = encodeCarried(carry, carry.read(event.properties));
    if (value !== undefined) into.push({ stream: stream.spec.id, value });
  }
}

function encodeCarried(carry: Carry, value: unknown): string | undefined {
  if (carry.kind === 'number')
    return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
  if (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  )
    return JSON.stringify(value);
  return undefined;
}
