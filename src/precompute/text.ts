/** Small text helpers for labels and extractive summaries: words, sentences, token estimates. */

/** Common English function words and chat filler: never a topic label. */
const STOP = new Set(
  `a about above after again against all also am an and any are aren't as at be because been before being below between both but by can can't cannot could
  couldn't did didn't do does doesn't doing don't down during each few for from further get got had hadn't has hasn't have haven't having he he'd he'll
  he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself just let's like me more most
  mustn't my myself no nor not now of off on once one only or other ought our ours ourselves out over own really same shan't she she'd she'll she's
  should shouldn't so some such than that that's the their theirs them themselves then there there's these they they'd they'll they're they've this
  those through to too under until up us very was wasn't we we'd we'll we're we've were weren't what what's when when's where where's which while who
  who's whom why why's will with won't would wouldn't yeah yes you you'd you'll you're you've your yours yourself yourselves oh okay ok hey hi thanks
  thank well much many lot lots thing things something anything really going gonna want wanted know think said says say told tell time times day
  days make made way even still back good great new see seen'`.split(/\s+/),
);

/** Lowercase content words of at least 3 letters, stopwords removed. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}][\p{L}\p{N}'_-]*/gu)) {
    const w = m[0].replace(/'s$/, '');
    if (w.length >= 3 && !STOP.has(w) && !/^\d+$/.test(w)) out.push(w);
  }
  return out;
}

/** A rough token count (~4 characters a token for English), enough for budgets. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Sentences of a text (split on ., !, ? and line breaks). */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The leading sentences of `text` that fit in `maxTokens` (at least the first, cut if needed). */
export function leadWithin(text: string, maxTokens: number): string {
  const parts = sentences(text);
  let out = '';
  for (const s of parts) {
    const next = out ? `${out} ${s}` : s;
    if (estimateTokens(next) > maxTokens) break;
    out = next;
  }
  if (out) return out;
  const first = parts[0] ?? text;
  return `${first.slice(0, Math.max(8, maxTokens * 4 - 1)).trimEnd()}…`;
}

/** Ends a segment with punctuation so joined segments read as sentences. */
export function asSentence(s: string): string {
  const t = s.trim();
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}
