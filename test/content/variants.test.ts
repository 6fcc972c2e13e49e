import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bestVariant, readTags, visibleItems } from '../../content/variants';

type Item = { id: string; tags: string[] };
const tagsOf = (item: Item) => item.tags;
const audience = new Map([
  ['vip', 50],
  ['reader', 10],
]);

describe('variant choice', () => {
  const items: Item[] = [
    { id: 'fallback', tags: [] },
    { id: 'reader', tags: ['reader'] },
    { id: 'other', tags: ['sport-fan'] },
    { id: 'vip-or-reader', tags: ['reader', 'vip'] },
    { id: 'fallback-2', tags: [] },
  ];

  it('picks the item tagged with the best-priority segment, and names that segment', () => {
    const best = bestVariant(items, tagsOf, audience);
    expect(best?.item.id).toBe('vip-or-reader');
    expect(best?.personalization).toEqual({ segment: 'vip', tags: ['reader', 'vip'], fallback: false });
  });

  it('falls back to the first untagged item when no tag matches, and to null when there is none', () => {
    expect(bestVariant(items, tagsOf, new Map())?.item.id).toBe('fallback');
    expect(
      bestVariant(
        items.filter((item) => item.tags.length > 0),
        tagsOf,
        new Map(),
      ),
    ).toBeNull();
  });

  it('keeps the earlier item on equal priority', () => {
    const tied = [
      { id: 'first', tags: ['reader'] },
      { id: 'second', tags: ['reader'] },
    ];
    expect(bestVariant(tied, tagsOf, audience)?.item.id).toBe('first');
  });

  it('lists matches by priority then fallbacks, or in source order for blocks; never foreign-tagged items', () => {
    expect(visibleItems(items, tagsOf, audience, 'priority').map(({ item }) => item.id)).toEqual([
      'vip-or-reader',
      'reader',
      'fallback',
      'fallback-2',
    ]);
    expect(visibleItems(items, tagsOf, audience, 'source').map(({ item }) => item.id)).toEqual([
      'fallback',
      'reader',
      'vip-or-reader',
      'fallback-2',
    ]);
  });

  it('reads tags leniently but hides items whose tags are malformed', () => {
    expect(readTags(null)).toEqual([]);
    expect(readTags(undefined)).toEqual([]);
    expect(readTags('vip')).toEqual(['vip']);
    expect(readTags(['vip', 'reader'])).toEqual(['vip', 'reader']);
    const broken = readTags({ vip: true });
    expect(broken.length).toBe(1);
    expect(bestVariant([{ id: 'broken', tags: [...broken] }], tagsOf, audience)).toBeNull();
  });

  it('never shows an item tagged only with segments the caller is not in (property)', () => {
    const segment = fc.constantFrom('vip', 'reader', 'sport', 'news', 'gold');
    const item = fc.record({ id: fc.uuid(), tags: fc.array(segment, { maxLength: 3 }) });
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 12 }),
        fc.subarray(['vip', 'reader', 'sport']),
        (list, keys) => {
          const caller = new Map(keys.map((key, index) => [key, index]));
          const shown = visibleItems(list, tagsOf, caller, 'priority');
          for (const { item: shownItem, personalization } of shown) {
            if (shownItem.tags.length === 0) expect(personalization.fallback).toBe(true);
            else expect(caller.has(personalization.segment!)).toBe(true);
          }
          const visible = list.filter(
            (entry) => entry.tags.length === 0 || entry.tags.some((tag) => caller.has(tag)),
          );
          expect(shown.length).toBe(visible.length);
          const best = bestVariant(list, tagsOf, caller);
          expect(best === null).toBe(visible.length === 0);
          if (best && !best.personalization.fallback) expect(best.item).toBe(shown[0]!.item);
        },
      ),
    );
  });
});
