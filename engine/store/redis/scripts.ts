/**
 * Loads the Lua scripts of `./lua` once per client with ioredis `defineCommand` (EVALSHA with a
 * transparent EVAL fallback, on every cluster node that needs it). A line `-- @include <name>`
 * is replaced, when the script is loaded, by `lua/includes/<name>.lua` (Redis has no includes), so
 * helpers are written once. The scripts that add data start
 * with `#!lua` (flags, none): Redis then refuses them whole when it is out of memory (see "Redis
 * memory" in ../README.md); the others run in the compatible mode.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster, Redis } from 'ioredis';

const LUA_DIR = join(__dirname, 'lua');

/** Script name -> ioredis command name. Every script takes its key count as first argument. */
const SCRIPTS = {
  ingest: 'pzIngest',
  load: 'pzLoad',
  commit: 'pzCommit',
  traits: 'pzTraits',
  consent: 'pzConsent',
  export: 'pzExport',
  absorb: 'pzAbsorb',
  retire: 'pzRetire',
  erase: 'pzErase',
  claim: 'pzClaim',
  finish: 'pzFinish',
  fail: 'pzFail',
  index: 'pzIndex',
  count: 'pzCount',
  probe: 'pzProbe',
} as const;

export type ScriptName = keyof typeof SCRIPTS;

/** A raw Redis reply as ioredis returns it (strings, numbers, nested arrays, null). */
export type Reply = string | number | null | Reply[];

const sources = new Map<ScriptName, string>();

function source(name: ScriptName): string {
  let text = sources.get(name);
  if (text === undefined) {
    text = readFileSync(join(LUA_DIR, `${name}.lua`), 'utf8').replace(
      /^-- @include (\w+)$/gm,
      (_line, include: string) => readFileSync(join(LUA_DIR, 'includes', `${include}.lua`), 'utf8'),
    );
    sources.set(name, text);
  }
  return text;
}

const defined = new WeakSet<Redis | Cluster>();

/** The scripts bound to one client: `run('ingest', keys, args)`. */
export interface Scripts {
  run(name: ScriptName, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<Reply>;
}

/** Defines every script on `client` (once) and returns a typed runner. */
export function scriptsFor(client: Redis | Cluster): Scripts {
  if (!defined.has(client)) {
    for (const [name, command] of Object.entries(SCRIPTS) as Array<[ScriptName, string]>) {
      client.defineCommand(command, { lua: source(name) });
    }
    defined.add(client);
  }
  const commands = client as unknown as Record<string, (...args: Array<string | number>) => Promise<Reply>>;
  return {
    run(name, keys, args) {
      return commands[SCRIPTS[name]]!.call(client, keys.length, ...keys, ...args);
    },
  };
}
