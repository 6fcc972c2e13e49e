/**
 * `npm run bench -- compare <bench> [--base REV] [--runs N] [-- <bench args>]`
 *
 * A benchmark before and after a change, side by side in one run: the working tree and the
 * commit `REV` (default `HEAD`, so uncommitted work is compared with the last commit) each run
 * `bench/<bench>.ts` as that tree has it, on its own compiled `dist/`, alternately `runs` times
 * (default 2: base, current, base, current), so a machine that slows down during the run slows
 * both sides alike. `REV` is checked out into a temporary git worktree that uses this tree's
 * `node_modules`; it is removed at the end.
 *
 * Every numeric field of each side's final JSON line is reported as the median over its runs,
 * with the ratio current / base. Ends with
 * `{"bench":"compare","of":"<bench>","base":"<rev>","runs":N,"current":{...},"baseline":{...},"ratio":{...}}`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

type Figures = Record<string, number>;

interface Settings {
  bench: string;
  base: string;
  runs: number;
  args: string[];
}

function parse(args: string[]): Settings {
  const split = args.indexOf('--');
  const own = split === -1 ? args : args.slice(0, split);
  const passed = split === -1 ? [] : args.slice(split + 1);
  const [bench, ...rest] = own;
  if (!bench || bench === 'compare')
    throw new Error('usage: npm run bench -- compare <bench> [--base REV] [--runs N]');
  const settings: Settings = { bench, base: 'HEAD', runs: 2, args: passed };
  for (let index = 0; index < rest.length; index += 2) {
    const [flag, value] = [rest[index], rest[index + 1]];
    if (flag === '--base' && value) settings.base = value;
    else if (flag === '--runs' && value && /^[1-9]\d*$/.test(value)) settings.runs = Number(value);
    else throw new Error(`unknown or incomplete option ${String(flag)} (--base REV, --runs N >= 1)`);
  }
  return settings;
}

/** Runs one benchmark in `root`, streaming its output, and returns the numbers of its last JSON line. */
function runOnce(root: string, settings: Settings, label: string): Promise<Figures> {
  console.log(`\n=== ${label}: npm run bench -- ${[settings.bench, ...settings.args].join(' ')} (${root})`);
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'bench/index.ts', settings.bench, ...settings.args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let last = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      for (const line of chunk.toString().split('\n')) if (line.startsWith('{"bench"')) last = line;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${label} run exited with ${String(code)}`));
      if (!last) return reject(new Error(`${label} run printed no JSON line`));
      const figures: Figures = {};
      for (const [key, value] of Object.entries(JSON.parse(last) as Record<string, unknown>))
        if (typeof value === 'number') figures[key] = value;
      resolve(figures);
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function medians(runs: Figures[]): Figures {
  const keys = new Set(runs.flatMap((run) => Object.keys(run)));
  return Object.fromEntries([...keys].map((key) => [key, median(runs.map((run) => run[key] ?? NaN))]));
}

const round = (value: number): number => Math.round(value * 1000) / 1000;

export async function run(args: string[]): Promise<void> {
  const settings = parse(args);
  const commit = execFileSync('git', ['rev-parse', '--short', settings.base], { cwd: ROOT })
    .toString()
    .trim();
  const baseRoot = join(mkdtempSync(join(tmpdir(), 'pz-bench-base-')), 'tree');
  execFileSync('git', ['worktree', 'add', '--detach', baseRoot, commit], { cwd: ROOT, stdio: 'ignore' });
  try {
    symlinkSync(join(ROOT, 'node_modules'), join(baseRoot, 'node_modules'));
    if (!existsSync(join(baseRoot, 'bench', `${settings.bench}.ts`)))
      throw new Error(`bench/${settings.bench}.ts does not exist at ${commit}`);
    const baseline: Figures[] = [];
    const current: Figures[] = [];
    for (let index = 0; index < settings.runs; index += 1) {
      baseline.push(await runOnce(baseRoot, settings, `base ${commit} #${index + 1}`));
      current.push(await runOnce(ROOT, settings, `current #${index + 1}`));
    }
    const before = medians(baseline);
    const after = medians(current);
    const ratio: Figures = {};
    console.log(`\n${settings.bench}: medians of ${settings.runs} run(s) each`);
    console.log(
      `${'figure'.padEnd(32)}${`base ${commit}`.padStart(16)}${'current'.padStart(16)}${'ratio'.padStart(10)}`,
    );
    for (const key of Object.keys(after)) {
      if (!(key in before)) continue;
      ratio[key] = round(after[key]! / before[key]!);
      console.log(
        `${key.padEnd(32)}${String(round(before[key]!)).padStart(16)}${String(round(after[key]!)).padStart(16)}${String(ratio[key]).padStart(10)}`,
      );
    }
    console.log(
      JSON.stringify({
        bench: 'compare',
        of: settings.bench,
        base: commit,
        runs: settings.runs,
        current: after,
        baseline: before,
        ratio,
      }),
    );
  } finally {
    execFileSync('git', ['worktree', 'remove', '--force', baseRoot], { cwd: ROOT, stdio: 'ignore' });
    rmSync(join(baseRoot, '..'), { recursive: true, force: true });
  }
}
