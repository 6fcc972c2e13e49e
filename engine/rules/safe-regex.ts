/**
 * Guards `$regex` against catastrophic backtracking. JavaScript regexes backtrack, so a pattern such
 * as `(a+)+$` takes exponential time on a long non-matching input. Rather than trust every editor,
 * patterns are capped in length and refused when a quantified group contains another quantifier or
 * an alternation (the shapes behind exponential blow-ups), or when they use backreferences.
 * Values tested are also bounded (1,024 characters per string by the event validator).
 */

/** Longest accepted pattern. */
export const MAX_REGEX_LENGTH = 256;

const ALLOWED_FLAGS = /^[imsu]*$/;

/** Compiles `pattern`, or returns the reason it is refused. */
export function compileSafeRegex(pattern: string, flags = ''): RegExp | string {
  if (pattern.length > MAX_REGEX_LENGTH) return `pattern longer than ${MAX_REGEX_LENGTH} characters`;
  if (!ALLOWED_FLAGS.test(flags) || new Set(flags).size !== flags.length)
    return `flags "${flags}" are not a subset of "imsu"`;
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, flags);
  } catch (error) {
    return `invalid regular expression (${(error as Error).message})`;
  }
  const risk = backtrackingRisk(pattern);
  return risk ?? regex;
}

interface GroupScan {
  /** The group holds a quantifier or an alternation somewhere inside it. */
  risky: boolean;
}

/** Why the pattern may backtrack catastrophically, or `undefined` if its shape is safe. */
function backtrackingRisk(pattern: string): string | undefined {
  const groups: GroupScan[] = [{ risky: false }];
  let inClass = false;
  // Whether the previous atom was a group that held a quantifier or an alternation.
  let previousGroupRisky = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    const current = groups[groups.length - 1]!;
    if (char === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<'))
        return 'backreferences are not allowed';
      i++;
      previousGroupRisky = false;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      continue;
    }
    if (char === '[') {
      inClass = true;
      previousGroupRisky = false;
    } else if (char === '(') {
      groups.push({ risky: false });
      previousGroupRisky = false;
    } else if (char === ')') {
      const closed = groups.pop()!;
      previousGroupRisky = closed.risky;
      if (closed.risky) groups[groups.length - 1]!.risky = true;
      continue;
    } else if (char === '|') {
      current.risky = true;
    } else if (char === '*' || char === '+' || char === '?' || char === '{') {
      // `(?:`, `(?=` and friends: a `?` right after `(` opens a group kind, it is not a quantifier.
      if (char === '?' && pattern[i - 1] === '(') continue;
      if (char === '{' && !/^\{\d+(,\d*)?\}/.test(pattern.slice(i))) {
        previousGroupRisky = false;
        continue;
      }
      // Repeating (`*`, `+`, `{n,m}`) a group that can match in several ways is what explodes;
      // making it optional (`?`) is not.
      if (previousGroupRisky && char !== '?')
        return 'a repeated group contains a quantifier or an alternation (catastrophic backtracking)';
      current.risky = true;
    }
    previousGroupRisky = false;
  }
  return undefined;
}
