/**
 * `npm run bench -- <name> [args]`: runs `bench/<name>.ts`. Each benchmark prints its figures and
 * ends with one JSON line (`{"bench":"<name>",...}`) so results can be collected by a script.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

async function main(): Promise<void> {
  const available = readdirSync(__dirname)
    .filter((file) => file.endsWith('.ts') && file !== 'index.ts' && !file.startsWith('_'))
    .map((file) => file.slice(0, -3));
  const [name, ...args] = process.argv.slice(2);
  if (!name || !available.includes(name)) {
    console.error(`usage: npm run bench -- <${available.join('|')}> [args]`);
    process.exit(2);
  }
  const module = (await import(join(__dirname, `${name}.ts`))) as { run(args: string[]): Promise<void> };
  await module.run(args);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
