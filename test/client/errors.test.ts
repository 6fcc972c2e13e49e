/** What the client does with each kind of server answer depends on this classification. */
import { describe, expect, it } from 'vitest';
import { classifyResponse, PersonalizeRequestError } from '../../client/src/errors.js';

const coded = (code: string, extensions: Record<string, unknown> = {}) => [
  { message: code, extensions: { code, ...extensions } },
];

describe('classifyResponse', () => {
  it.each([
    [401, [], 'unauthenticated'],
    [200, coded('UNAUTHENTICATED'), 'unauthenticated'],
    [200, coded('INVALID_TOKEN'), 'unauthenticated'],
    [200, coded('FORBIDDEN'), 'rejected'], // a refused identity assertion: a new session would not help
    [400, coded('BAD_USER_INPUT'), 'rejected'],
    [200, coded('RATE_LIMITED'), 'unavailable'],
    [429, [], 'unavailable'],
    [503, [], 'unavailable'],
    [200, coded('INTERNAL_SERVER_ERROR'), 'unavailable'],
    [404, [], 'rejected'],
  ] as const)('HTTP %i with %j is %s', (status, errors, failure) => {
    expect(classifyResponse(status, errors)).toBe(failure);
  });
});

describe('PersonalizeRequestError', () => {
  it('exposes the code and the wait the server asked for', () => {
    const error = new PersonalizeRequestError(
      'slow down',
      'unavailable',
      200,
      coded('RATE_LIMITED', { retryAfterMs: 1500 }),
    );
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAfterMs).toBe(1500);
    expect(error.retryable).toBe(true);
    expect(new PersonalizeRequestError('x', 'rejected').retryable).toBe(false);
  });
});
