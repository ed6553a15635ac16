/**
 * Token counting with a real BPE tokenizer (gpt-tokenizer: OpenAI's o200k_base or cl100k_base
 * ranks), so a budget means what the model will count, for any script (CJK and emoji take far
 * more tokens than characters ÷ 4 suggests).
 *
 * The ranks are loaded once, by the first context call (o200k_base costs ~200 ms and ~70 MB of
 * RSS, cl100k_base ~100 ms and ~40 MB): a deployment that never assembles a context never pays
 * for them. Counts of memory lines are memoized by a key that changes with the memory's version,
 * so a warm context counts almost nothing.
 */
export const TOKENIZERS = ['o200k_base', 'cl100k_base'] as const;
export type TokenizerName = (typeof TOKENIZERS)[number];

type CountFn = (text: string) => number;

/** Texts at least this long (whole sections and contexts) have their counts remembered, up to TEXT_MEMO of them. */
const LONG_TEXT = 512;
const TEXT_MEMO = 2000;

/** Special-token strings in memories are plain text here (gpt-tokenizer refuses them by default). */
const AS_TEXT = { disallowedSpecial: new Set<string>() };

async function loadCount(name: TokenizerName): Promise<CountFn> {
  const m = name === 'o200k_base' ? await import('gpt-tokenizer/encoding/o200k_base') : await import('gpt-tokenizer/encoding/cl100k_base');
  return (text) => m.countTokens(text, AS_TEXT);
}

export class TokenCounter {
  private count: CountFn | undefined;
  private loading: Promise<CountFn> | undefined;
  private readonly memo = new Map<string, number>();
  private readonly texts = new Map<string, number>();

  constructor(
    readonly name: TokenizerName,
    private readonly o: { memoEntries: number } = { memoEntries: 50_000 },
  ) {}

  /** Resolves once the ranks are loaded: the first call loads them, and a failed load is tried again by the next. */
  async ready(): Promise<this> {
    if (this.count) return this;
    this.loading ??= loadCount(this.name).then((f) => (this.count = f));
    try {
      await this.loading;
    } catch (err) {
      this.loading = undefined;
      throw err;
    }
    return this;
  }

  /** Tokens of `text`; call after ready(). Long texts are remembered (a warm context repeats its text). */
  tokens(text: string): number {
    if (!this.count) throw new Error('TokenCounter used before ready()');
    if (text.length < LONG_TEXT) return text === '' ? 0 : this.count(text);
    const hit = this.texts.get(text);
    if (hit !== undefined) return hit;
    const n = this.count(text);
    if (this.texts.size >= TEXT_MEMO) this.texts.delete(this.texts.keys().next().value!);
    this.texts.set(text, n);
    return n;
  }

  /** Tokens of `text`, remembered under `key` (which must change whenever the text does). */
  tokensOf(key: string, text: string): number {
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    const n = this.tokens(text);
    if (this.memo.size >= this.o.memoEntries) this.memo.delete(this.memo.keys().next().value!);
    this.memo.set(key, n);
    return n;
  }
}
