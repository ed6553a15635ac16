/**
 * LexicalEmbedder: the offline default. No model, no network, deterministic.
 *
 * Features, hashed into `dimensions` buckets with a sign bit (so collisions cancel instead of
 * piling up): stemmed word unigrams, word bigrams, and character 3- to 5-grams of each word
 * (robust to inflection and typos). Weights are TF-IDF-style: sublinear term frequency
 * (1 + ln tf) times a fixed inverse-document-frequency prior that mutes stop words and favours
 * longer, rarer-looking words. The prior is fixed so a text's vector never changes over time.
 */
import { normalizeInPlace, type Embedder } from './embedder.js';

const STOP = new Set(
  (
    'a an and are as at be been being but by can could did do does doing for from had has have having he her hers him his how i if in into is it its ' +
    'just me my myself no nor not of off on once only or our ours out over own same she should so some such than that the their theirs them then there ' +
    'these they this those through to too under until up very was we were what when where which while who whom why will with would you your yours ' +
    "yourself yourselves i'm it's don't im ok oh yeah yes hey hi really also about like get got go going just"
  ).split(/\s+/),
);

const W_UNIGRAM = 1.0;
const W_BIGRAM = 0.6;
/** Total L2 weight of one word's character n-grams (spread over them by 1/sqrt(count)). */
const W_CHARGRAM = 0.6;

function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // final avalanche (murmur3 fmix32)
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** A light suffix stripper: enough to map plurals and common verb forms together. */
export function stem(w: string): string {
  if (w.length <= 3) return w;
  for (const suf of ['ingly', 'edly', 'ing', 'ies', 'ied', 'ed', 'es', 's', 'ly']) {
    if (w.endsWith(suf) && w.length - suf.length >= 3) {
      const base = w.slice(0, -suf.length);
      return suf === 'ies' || suf === 'ied' ? base + 'y' : base;
    }
  }
  return w;
}

export function tokenize(text: string): string[] {
  return (
    text
      .toLowerCase()
      .normalize('NFKC')
      .match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu) ?? []
  );
}

export class LexicalEmbedder implements Embedder {
  readonly modelId: string;
  constructor(readonly dimensions: number) {
    this.modelId = `lexical-v1-${dimensions}`;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }

  embedOne(text: string): Float32Array {
    const counts = new Map<string, number>();
    const add = (f: string, w: number) => counts.set(f, (counts.get(f) ?? 0) + w);
    const words = tokenize(text);
    let prev: string | undefined;
    for (const raw of words) {
      const isStop = STOP.has(raw);
      const w = stem(raw);
      add(`w:${w}`, isStop ? 0.08 * W_UNIGRAM : W_UNIGRAM * idfPrior(w));
      if (prev !== undefined && !isStop) add(`b:${prev}_${w}`, W_BIGRAM);
      prev = isStop ? undefined : w;
      if (!isStop && raw.length >= 4) {
        const padded = `<${raw}>`;
        const grams: string[] = [];
        for (let n = 3; n <= 5; n++) for (let i = 0; i + n <= padded.length; i++) grams.push(padded.slice(i, i + n));
        const each = W_CHARGRAM / Math.sqrt(grams.length);
        for (const g of grams) add(`c:${g}`, each);
      }
    }
    const v = new Float32Array(this.dimensions);
    for (const [f, w] of counts) {
      const h = fnv1a(f);
      const idx = h % this.dimensions;
      const sign = (fnv1a(f, 0x9747b28c) & 1) === 0 ? 1 : -1;
      v[idx]! += sign * (1 + Math.log(w > 1 ? w : 1)) * Math.min(w, 1);
    }
    if (!normalizeInPlace(v)) {
      // Text without any word characters: a fixed, valid unit vector rather than zeros.
      v[fnv1a(text) % this.dimensions] = 1;
    }
    return v;
  }
}

/** Longer words are on average rarer and more informative; numbers are very specific. */
function idfPrior(w: string): number {
  if (/^\d+$/.test(w)) return 1.2;
  return Math.min(1.6, 0.7 + 0.12 * w.length);
}
