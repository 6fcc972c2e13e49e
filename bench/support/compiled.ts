/**
 * The compiled project (`npm run build` -> `dist/`), which is what production runs: the Strapi
 * plugin loads `dist/`, and so should the servers a benchmark measures.
 *
 * Why not the TypeScript sources through tsx: tsx compiles with esbuild's `keepNames`, which
 * wraps every function it creates in a `__name(fn, "...")` call that redefines `name`. That costs
 * a call per closure created, and turns each such closure's properties into a dictionary of its
 * own (about 250 bytes): at 10,000 live subscriptions, some 2.5 KB per subscription that `tsc`'s
 * output never allocates.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
let built = false;

/** Builds `dist/` once per benchmark run (about 20 s) and returns the path of `dist/<relative>`. */
export function compiled(relative: string): string {
  if (!built) {
    console.log('building dist/ (npm run build): the measured server runs the compiled code');
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
    built = true;
  }
  return join(ROOT, 'dist', relative);
}
