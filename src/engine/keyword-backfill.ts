/**
 * KeywordBackfill: gives memories written before the keyword index existed their keyword vectors,
 * in the background, while the service serves. Each step asks the store for a page of memories
 * without one, encodes their index text and sets them, guarded by each memory's version (a memory
 * rewritten meanwhile got its keywords from that write). Until a memory is reached, keyword and
 * hybrid search simply do not find it by its words; dense search is unaffected.
 *
 * Progress: `memory_keyword_backfill_total` counts memories indexed; a log line per 10,000 and at
 * the end. It stops by itself when nothing is left, when a step makes no progress, or on close().
 */
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import { sleep } from '../sleep.js';
import type { CacheCoherence } from './cache/coherence.js';
import type { VectorStore } from './vector/vector-store.js';
import type { KeywordEncoder } from './keywords/encoder.js';
import type { IndexText } from './keywords/index-text.js';

export interface KeywordBackfillDeps {
  store: VectorStore;
  keywords: KeywordEncoder;
  indexText: IndexText;
  /** Told of each user's newly indexed memories, so no cached search keeps missing them. */
  coherence: CacheCoherence;
  metrics: Metrics;
  log: Logger;
}

export interface KeywordBackfillOptions {
  /** Memories per step. */
  batch: number;
  /** Pause between steps, so requests keep the CPU. */
  pauseMs: number;
}

export class KeywordBackfill {
  private readonly abort = new AbortController();
  private running: Promise<number> | undefined;

  constructor(
    private readonly d: KeywordBackfillDeps,
    private readonly o: KeywordBackfillOptions,
  ) {}

  /** Starts the job once; resolves with how many memories it indexed. */
  start(): Promise<number> {
    this.running ??= this.run().catch((err: unknown) => {
      if (!this.abort.signal.aborted) this.d.log.warn({ err }, 'keyword backfill stopped; it resumes at the next start');
      return 0;
    });
    return this.running;
  }

  async close(): Promise<void> {
    this.abort.abort(new Error('closing'));
    await this.running;
  }

  private async run(): Promise<number> {
    const signal = this.abort.signal;
    let done = 0;
    let lastPage = '';
    for (;;) {
      if (signal.aborted) return done;
      const page = await this.d.store.withoutKeywords(this.o.batch, { signal });
      if (page.length === 0) break;
      const size = page.reduce((n, g) => n + g.memories.length, 0);
      const key = page.map((g) => g.memories.map((m) => `${m.id}@${m.version}`).join(',')).join(';');
      if (key === lastPage) {
        this.d.log.warn({ memories: size }, 'keyword backfill made no progress; stopping');
        break;
      }
      lastPage = key;
      for (const { userId, memories } of page) {
        const items = memories.map((m) => ({ id: m.id, version: m.version, keywords: this.d.keywords.document(userId, this.d.indexText(m)) }));
        await this.d.store.setFields(userId, items, { signal });
        // Cached searches of the user did not see these memories' words: they go (a new generation).
        await this.d.coherence.invalidate(userId, []);
        done += items.length;
        this.d.metrics.keywordBackfill.inc(items.length);
      }
      if (Math.floor(done / 10_000) !== Math.floor((done - size) / 10_000)) this.d.log.info({ done }, 'keyword backfill progress');
      await sleep(this.o.pauseMs, signal);
    }
    if (done > 0) this.d.log.info({ done }, 'keyword backfill finished');
    return done;
  }
}
