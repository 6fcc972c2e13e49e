/**
 * The admin's translations: every locale file has exactly the English ids, and every id the admin
 * source names is in the English file (English is the default; the others must be complete).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ADMIN = join(__dirname, '../../plugin/admin/src');
const TRANSLATIONS = join(ADMIN, 'translations');
const read = (file: string): Record<string, string> =>
  JSON.parse(readFileSync(join(TRANSLATIONS, file), 'utf8')) as Record<string, string>;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : /\.tsx?$/.test(entry.name)
        ? [readFileSync(join(dir, entry.name), 'utf8')]
        : [],
  );
}

describe('admin translations', () => {
  const english = read('en.json');

  it.each(readdirSync(TRANSLATIONS).filter((file) => file !== 'en.json'))(
    '%s has every English id',
    (file) => {
      expect(Object.keys(read(file)).sort()).toEqual(Object.keys(english).sort());
    },
  );

  it('every id the admin names is in en.json, with its default message', () => {
    const named = sources(ADMIN).flatMap((source) =>
      [...source.matchAll(/getTranslation\('([^']+)'\),\s*defaultMessage:\s*(?:'([^']*)'|"([^"]*)")/g)].map(
        (match) => [match[1]!, match[2] ?? match[3]!] as const,
      ),
    );
    expect(named.length).toBeGreaterThan(0);
    for (const [id, defaultMessage] of named)
      expect({ id, text: english[id] }).toEqual({ id, text: defaultMessage });
  });
});
