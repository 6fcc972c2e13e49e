/** Event construction: unique ids everywhere (also without randomUUID), device classes, validation. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEvent, deviceTypeOf, newEventId } from '../../client/src/events.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newEventId', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('gives distinct v4 UUIDs', () => {
    const ids = new Set(Array.from({ length: 1000 }, newEventId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(UUID_V4);
  });

  it('builds v4 UUIDs from getRandomValues where randomUUID is missing (plain-HTTP pages)', () => {
    const { getRandomValues } = globalThis.crypto;
    vi.stubGlobal('crypto', { getRandomValues: getRandomValues.bind(globalThis.crypto) });
    const ids = new Set(Array.from({ length: 1000 }, newEventId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(UUID_V4);
  });
});

describe('deviceTypeOf', () => {
  it.each([
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148', 'mobile'],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36',
      'mobile',
    ],
    ['Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 Chrome/120.0 Safari/537.36', 'tablet'],
    ['Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148', 'tablet'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36', 'desktop'],
  ])('%s is %s', (userAgent, type) => expect(deviceTypeOf(userAgent)).toBe(type));
});

describe('createEvent', () => {
  it('stamps id and ISO time, and lets explicit context override the gathered one', () => {
    const event = createEvent('Article Viewed', { category: 'news' }, { timezone: 'Europe/Paris' }, () => ({
      timezone: 'UTC',
      locale: 'fr',
    }));
    expect(event.id).toMatch(UUID_V4);
    expect(new Date(event.timestamp).toISOString()).toBe(event.timestamp);
    expect(event.context).toEqual({ timezone: 'Europe/Paris', locale: 'fr' });
    expect(event.properties).toEqual({ category: 'news' });
  });

  it('refuses an empty type', () => {
    expect(() => createEvent('  ')).toThrow(/non-empty string/);
  });
});
