/**
 * `$regex` runs on RE2 (`re2js`, a pure JavaScript port of RE2): matching takes time linear in the
 * input, whatever the pattern, so no pattern an editor writes can backtrack catastrophically
 * (`(a+)+$`, `.*.*.*.*x`, `(.*a){12}` are all fine). What RE2 cannot express in linear time,
 * backreferences and lookaround, is refused at compile time with a reason.
 *
 * Two bounds keep the linear cost small: the pattern length, and the size of the compiled program
 * (counted repeats multiply it: `\pL{1000}` is 8 characters but 1,000 instructions, and each
 * instruction may be live at every character of the input).
 */
import { RE2JS, RE2JSException, RE2JSSyntaxException } from 're2js';

/** Longest accepted pattern, in characters. */
export const MAX_REGEX_LENGTH = 256;
/**
 * Largest compiled program, in RE2 instructions: a little over what a 256-character pattern
 * without counted repeats compiles to (about one instruction per character).
 */
export const MAX_REGEX_PROGRAM_SIZE = 300;

/** The flags a rule may give, and RE2's: `u` is RE2's only mode (it always matches code points). */
const FLAG_BITS: Readonly<Record<string, number>> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
  u: 0,
};

/** A compiled rule pattern: `test` finds a match anywhere in the value (as `RegExp.test`). */
export interface RulePattern {
  test(value: string): boolean;
}

/** Compiles `pattern` with `flags` (a subset of `imsu`), or returns the reason it is refused. */
export function compileRulePattern(pattern: string, flags = ''): RulePattern | string {
  if (pattern.length > MAX_REGEX_LENGTH) return `pattern longer than ${MAX_REGEX_LENGTH} characters`;
  let bits = 0;
  for (const flag of flags) {
    const bit = FLAG_BITS[flag];
    if (bit === undefined || flags.indexOf(flag) !== flags.lastIndexOf(flag))
      return `flags "${flags}" are not a subset of "imsu"`;
    bits |= bit;
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern, bits);
  } catch (error) {
    if (error instanceof RE2JSSyntaxException) return refusal(error);
    if (error instanceof RE2JSException) return `pattern refused by RE2 (${error.message})`;
    throw error;
  }
  const size = compiled.programSize();
  if (size > MAX_REGEX_PROGRAM_SIZE)
    return `pattern too costly: compiles to ${size} instructions (at most ${MAX_REGEX_PROGRAM_SIZE}; lower the counts in {n,m})`;
  return { test: (value) => compiled.test(value) };
}

/** The reason for a pattern RE2 refused, naming the unsupported constructs plainly. */
function refusal(error: RE2JSSyntaxException): string {
  const what = error.getDescription();
  const at = error.getPattern() ?? '';
  if (what === 'invalid escape sequence' && /^\\(?:[1-9]|k)/.test(at))
    return `backreferences (${at}) are not supported: patterns run on a linear-time engine (RE2)`;
  if (
    /^\(\?<?[=!]/.test(at) &&
    (what === 'invalid or unsupported Perl syntax' || what === 'invalid named capture')
  )
    return `lookahead and lookbehind (${at.slice(0, at.startsWith('(?<') ? 4 : 3)}) are not supported: patterns run on a linear-time engine (RE2)`;
  return `invalid regular expression (${what}${at ? `: \`${at}\`` : ''}; RE2 syntax)`;
}
