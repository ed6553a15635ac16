/**
 * ExportUser and ImportUser: a user's memories (hot and archived, with supersession links),
 * tasks and audit trail as JSON lines (lines.ts), and back.
 *
 * Import is all-or-nothing per batch for validation (every line is checked before anything is
 * written) and idempotent: ids and versions are kept, a memory already there at the same version
 * with the same content is left alone, and audit events already imported are skipped.
 */
import { InvalidArgumentError, throwIfAborted } from '../../errors.js';
import type { MetadataStore } from '../../metadata/metadata-store.js';
import type { Archive } from '../archive/archive.js';
import { audited } from '../audited.js';
import type { CacheCoherence } from '../cache/coherence.js';
import type { EmbeddingService } from '../embed/embedding-service.js';
import type { KeyedMutex } from '../keyed-mutex.js';
import type { KeywordEncoder } from '../keywords/encoder.js';
import type { IndexText } from '../keywords/index-text.js';
import type { MemoryRecord } from '../types.js';
import * as v from '../validate.js';
import type { Limits } from '../validate.js';
import type { VectorStore } from '../vector/vector-store.js';
import { auditLine, headerLine, memoryLine, parseLine, taskLine, type Line } from './lines.js';

export interface TransferContext {
  signal?: AbortSignal;
  requestId: string;
  actor: string;
}

export interface TransferDeps {
  store: VectorStore;
  metadata: MetadataStore;
  embeddings: EmbeddingService | undefined;
  keywords: KeywordEncoder;
  indexText: IndexText;
  coherence: CacheCoherence;
  locks: KeyedMutex;
  lockKey: (userId: string, id: string) => string;
  archive?: Archive;
  /** Told about imported memories (precompute's triggers), like new writes. */
  written?: (userId: string, records: readonly MemoryRecord[]) => void;
}

export interface ImportCounts {
  memories: number;
  unchanged: number;
  tasks: number;
  auditEvents: number;
}

/** Lines per exported chunk, and records per page read. */
const CHUNK_LINES = 200;

export class Transfer {
  constructor(
    private readonly d: TransferDeps,
    private readonly o: { limits: Limits },
  ) {}

  /** Every line of the user's export, in chunks of whole lines. */
  async *exportUser(ctx: TransferContext, rawUserId: string, includeEmbeddings: boolean): AsyncGenerator<string[]> {
    const userId = v.checkUserId(rawUserId);
    const { store, metadata, archive } = this.d;
    yield [headerLine(userId, this.o.limits.dimensions, includeEmbeddings, Date.now())];
    let after: { createdAtMs: number; id: string } | undefined;
    do {
      throwIfAborted(ctx.signal);
      const page = await store.scroll(userId, {
        limit: CHUNK_LINES,
        newestFirst: false,
        filter: { includeSuperseded: true },
        withVectors: includeEmbeddings,
        ...(after ? { after } : {}),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      if (page.records.length > 0) yield page.records.map((r) => memoryLine(r, false, includeEmbeddings));
      after = page.next;
    } while (after);
    if (archive) {
      for await (const records of archive.pages(userId)) {
        throwIfAborted(ctx.signal);
        if (records.length > 0) yield records.map((r) => memoryLine(r, true, includeEmbeddings));
      }
    }
    let taskAfter: Parameters<MetadataStore['listTasks']>[1]['after'];
    do {
      const page = await metadata.listTasks(userId, { limit: CHUNK_LINES, ...(taskAfter ? { after: taskAfter } : {}) });
      if (page.items.length > 0) yield page.items.map(taskLine);
      taskAfter = page.next;
    } while (taskAfter);
    let auditAfter: Parameters<MetadataStore['listAudit']>[1]['after'];
    do {
      const page = await metadata.listAudit(userId, { limit: CHUNK_LINES, ...(auditAfter ? { after: auditAfter } : {}) });
      if (page.items.length > 0) yield page.items.map(auditLine);
      auditAfter = page.next;
    } while (auditAfter);
  }

  /** Imports one batch of lines (`firstLine`: the file line number of lines[0], for errors). */
  async importUser(ctx: TransferContext, rawUserId: string, lines: readonly string[], firstLine = 1): Promise<ImportCounts> {
    const userId = v.checkUserId(rawUserId);
    if (lines.length === 0) throw new InvalidArgumentError('lines', 'is empty');
    if (lines.length > this.o.limits.maxBatchItems) throw new InvalidArgumentError('lines', `has ${lines.length} lines, the limit is ${this.o.limits.maxBatchItems}`);
    if (!Number.isSafeInteger(firstLine) || firstLine < 1) throw new InvalidArgumentError('first_line', `must be a positive integer, got ${firstLine}`);
    const parsed: Line[] = [];
    const seen = new Map<string, number>();
    lines.forEach((text, i) => {
      const lineNo = firstLine + i;
      if (text.trim() === '') return;
      const line = parseLine(text, lineNo, userId, this.o.limits);
      if (line.type === 'memory') {
        const prev = seen.get(line.meta.id);
        if (prev !== undefined) throw new InvalidArgumentError(`lines[${lineNo}].memory.id`, `line ${lineNo} repeats memory ${line.meta.id} of line ${prev}`);
        seen.set(line.meta.id, lineNo);
        if (line.archived && !this.d.archive) throw new InvalidArgumentError(`lines[${lineNo}].archived`, `line ${lineNo}: this deployment has no archive`);
      }
      parsed.push(line);
    });
    const memories = parsed.filter((l): l is Extract<Line, { type: 'memory' }> => l.type === 'memory');
    // Positions (in `memories`) of the lines without a vector: their text is embedded.
    const needText = memories.flatMap((m, i) => (m.embedding ? [] : [i]));
    if (needText.length > 0 && !this.d.embeddings) throw new InvalidArgumentError('lines', 'memory lines without embeddings need an embedder (EMBEDDER=none here): export with include_embeddings');
    throwIfAborted(ctx.signal);

    // Validated: now the writes. Vectors first (the only slow part), then one write per backend.
    const texts = memories.map((m) => this.d.indexText(m.meta));
    const embedded =
      needText.length > 0
        ? await this.d.embeddings!.embed(
            needText.map((i) => texts[i]!),
            ctx.signal,
          )
        : [];
    const vectors = new Map(needText.map((i, j) => [i, embedded[j]!]));
    const records: ImportedRecord[] = memories.map((m, i) => ({
      ...m.meta,
      ...m.stats,
      embedding: m.embedding ?? vectors.get(i)!,
      keywords: this.d.keywords.document(userId, texts[i]!),
      archived: m.archived,
    }));
    const { written, unchanged } = await this.writeMemories(ctx, userId, records);
    let tasks = 0;
    for (const l of parsed) if (l.type === 'task' && (await this.d.metadata.importTask(l.task))) tasks++;
    const events = parsed.flatMap((l) => (l.type === 'audit' ? [l.event] : []));
    const auditEvents = events.length > 0 ? await this.d.metadata.importAudit(userId, events) : 0;
    return { memories: written, unchanged, tasks, auditEvents };
  }

  private async writeMemories(ctx: TransferContext, userId: string, records: readonly ImportedRecord[]): Promise<{ written: number; unchanged: number }> {
    if (records.length === 0) return { written: 0, unchanged: 0 };
    const { store, archive } = this.d;
    const ids = records.map((r) => r.id);
    const { written, toHot } = await this.d.locks.runAll(
      ids.map((id) => this.d.lockKey(userId, id)),
      async () => {
        const hot = new Map((await store.get(userId, ids, { signal: ctx.signal })).map((r) => [r.id, r]));
        const cold = new Map((archive ? await archive.peekMany(userId, ids) : []).map((r) => [r.id, r]));
        // Already there, on the same side, at the same version and content: an import run again.
        const same = (r: ImportedRecord) => {
          const had = r.archived ? cold.get(r.id) : hot.get(r.id);
          return had !== undefined && had.version === r.version && had.content === r.content;
        };
        const toWrite = records.filter((r) => !same(r));
        const toHot = toWrite.filter((r) => !r.archived).map(withoutSide);
        const toCold = toWrite.filter((r) => r.archived).map(withoutSide);
        if (toWrite.length === 0) return { written: 0, toHot };
        const audit = {
          userId,
          actor: ctx.actor,
          operation: 'ImportUser',
          memoryIds: toWrite.map((r) => r.id),
          requestId: ctx.requestId,
          details: { hot: String(toHot.length), archived: String(toCold.length) },
        };
        await audited(this.d.metadata, audit, async () => {
          if (toHot.length > 0) await store.upsert(userId, toHot, { signal: ctx.signal });
          if (toCold.length > 0) await archive!.putCold(userId, toCold);
          // A memory now on one side leaves the other (the import says where it lives).
          const leaveCold = toHot.filter((r) => cold.has(r.id)).map((r) => r.id);
          const leaveHot = toCold.filter((r) => hot.has(r.id)).map((r) => r.id);
          if (leaveCold.length > 0) await archive!.forget(userId, leaveCold);
          if (leaveHot.length > 0) await store.delete(userId, leaveHot, { signal: ctx.signal });
        });
        return { written: toWrite.length, toHot };
      },
    );
    if (written > 0) {
      this.d.coherence.noteWrite(userId);
      // Imported versions may replace cached ones (and supersession links change default reads).
      await this.d.coherence.invalidate(userId, ids);
      if (toHot.length > 0) this.d.written?.(userId, toHot);
    }
    return { written, unchanged: records.length - written };
  }
}

type ImportedRecord = MemoryRecord & { archived: boolean };

function withoutSide(r: ImportedRecord): MemoryRecord {
  const { archived: _a, ...rest } = r;
  return rest;
}
