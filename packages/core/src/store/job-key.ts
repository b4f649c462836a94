import { JobbyError } from '../errors.js';

/**
 * What a job key may be, checked by the client (for submissions and lookups) and again by the
 * store (for every enqueue): a string of 1–512 UTF-16 code units — JavaScript's `String.length`,
 * which is also what an HTML input's `maxLength`, the admin API and the CLI count: a character of
 * the Basic Multilingual Plane counts 1, one outside it (most emoji) counts 2, so 256 emoji fit and
 * 300 do not. At most 1,536 bytes in UTF-8, well within an index entry.
 *
 * Refused, because Postgres cannot store them as given:
 * - NUL (U+0000): text cannot hold it;
 * - a lone UTF-16 surrogate (a string cut inside a character, say by `slice()` through an emoji):
 *   the driver encodes it as U+FFFD, so the key stored is not the key given, and two keys that
 *   differ only there would name one job (issue 16, item 3).
 */

export const maxKeyLength = 512;

// In a /u regex a well-formed surrogate pair is one code point (not Cs); a lone half is Cs.
const loneSurrogatePattern = /\p{Cs}/u;
// Native since Node 20 (ES2024, not in this project's ES2023 lib); about twice as fast as the
// regex on short strings, and every string of every input goes through here.
const isWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

/** Index of the first lone UTF-16 surrogate in `text`, or -1. */
export function loneSurrogateIndex(text: string): number {
  if (isWellFormed?.call(text)) return -1;
  const match = loneSurrogatePattern.exec(text);
  return match ? match.index : -1;
}

/** `a lone UTF-16 surrogate (U+D83D at index 4)` */
export function describeLoneSurrogate(text: string, index: number): string {
  return `a lone UTF-16 surrogate (U+${text.charCodeAt(index).toString(16).toUpperCase()} at index ${index})`;
}

/** Why `key` cannot be a job key, or undefined when it can. */
export function jobKeyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return `must be a string, got ${key === null ? 'null' : typeof key}`;
  if (key.length === 0 || key.length > maxKeyLength) {
    return `must be 1–${maxKeyLength} UTF-16 code units long (String.length; a character outside the Basic Multilingual Plane, such as an emoji, counts 2), got ${key.length}`;
  }
  if (key.includes('\u0000')) return `contains a NUL character (U+0000) at index ${key.indexOf('\u0000')}, which Postgres cannot store`;
  const surrogate = loneSurrogateIndex(key);
  if (surrogate >= 0) {
    return `contains ${describeLoneSurrogate(key, surrogate)}, half of a character (a string cut inside an emoji, say): Postgres would store U+FFFD instead, so cut keys at character boundaries`;
  }
  return undefined;
}

/**
 * Throws `INVALID_ARGUMENT` naming `what` (`key of steam.FetchAppList`, `dependsOn[0].key of …`)
 * when `key` cannot be a job key.
 *
 * @example
 * ```ts
 * assertJobKey('😀'.repeat(300), 'key of demo.Produce'); // throws: … got 600
 * ```
 */
export function assertJobKey(key: unknown, what: string): asserts key is string {
  const problem = jobKeyProblem(key);
  if (problem) throw new JobbyError('INVALID_ARGUMENT', `${what} ${problem}`, { details: { key } });
}
