/**
 * Which of a user's known entities a turn names: whole-word, case-insensitive matches of the
 * entity names (Unicode letters and digits count as word characters). The query's entities come
 * first, then those of the recent turns, newest turn first.
 */
const WORD = /[\p{L}\p{N}]/u;

function mentions(haystack: string, needle: string): boolean {
  let at = haystack.indexOf(needle);
  while (at >= 0) {
    const before = at === 0 ? '' : haystack[at - 1]!;
    const after = haystack[at + needle.length] ?? '';
    if (!WORD.test(before) && !WORD.test(after)) return true;
    at = haystack.indexOf(needle, at + 1);
  }
  return false;
}

/** Up to `max` of `known` named in `query` or `turns` (oldest first), in that order of priority. */
export function namedEntities(known: readonly string[], query: string, turns: readonly string[], max: number): string[] {
  const candidates = known.map((name) => ({ name, key: name.toLowerCase().trim() })).filter((e) => e.key.length >= 2);
  const out: string[] = [];
  for (const text of [query, ...[...turns].reverse()]) {
    const lower = text.toLowerCase();
    for (const e of candidates) {
      if (out.length >= max) return out;
      if (!out.includes(e.name) && mentions(lower, e.key)) out.push(e.name);
    }
  }
  return out;
}
