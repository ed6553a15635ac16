/**
 * KeywordAnalyzer: a text's index terms for keyword (BM25) search. Unicode words, lower-cased
 * and NFKC-folded, stop words of the configured language dropped, English words Porter-stemmed
 * (the only stemmer we have from a maintained library; other languages keep whole words).
 * Numbers stay terms: dates, years and versions are what keyword search finds best.
 */
import { stemmer } from 'stemmer';
import stopwordLists from 'stopword';
import { ConfigError } from '../../errors.js';

/** Longer "words" are ids, hashes or noise; they are kept cut (a prefix still matches itself). */
const MAX_TERM_CHARS = 40;

export interface KeywordAnalyzerOptions {
  /** ISO 639-3 code of the stop-word list (eng, deu, fra, spa, …), or "none". */
  language: string;
}

export class KeywordAnalyzer {
  private readonly stop: Set<string>;
  private readonly stem: (word: string) => string;

  constructor(o: KeywordAnalyzerOptions) {
    if (o.language === 'none') this.stop = new Set();
    else {
      const list = stopwordLists[o.language];
      if (!Array.isArray(list)) throw new ConfigError('KEYWORD_LANGUAGE', `has no stop-word list for "${o.language}" (use an ISO 639-3 code such as eng, deu, fra, or none)`);
      this.stop = new Set(list.map((w) => w.toLowerCase()));
    }
    this.stem = o.language === 'eng' ? stemmer : (w) => w;
  }

  /** The text's terms in order, repeats kept (term frequency counts them). */
  terms(text: string): string[] {
    const words =
      text
        .normalize('NFKC')
        .toLowerCase()
        .match(/[\p{L}\p{N}]+/gu) ?? [];
    const out: string[] = [];
    for (const raw of words) {
      if (this.stop.has(raw)) continue;
      const w = raw.length > MAX_TERM_CHARS ? raw.slice(0, MAX_TERM_CHARS) : raw;
      // Single letters carry no meaning on their own ("s" of "Caroline's"); single digits do.
      if (w.length === 1 && !/\p{N}/u.test(w)) continue;
      out.push(/^\p{N}+$/u.test(w) ? w : this.stem(w));
    }
    return out;
  }
}
