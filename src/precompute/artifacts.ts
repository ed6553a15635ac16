/**
 * What precomputed artifacts hold, and how each one forgets a removed memory.
 *
 * Every artifact lists the memory ids it draws on (`sources`). Texts made by extraction are
 * kept as segments, one per memory, so removing a memory drops exactly its segment; text an LLM
 * wrote cannot be edited, so it is dropped whenever one of its inputs goes, and the extractive
 * text stands in until the next run. Aggregates (topic centroids and label terms, counts) are
 * kept: they hold no memory's text.
 */
import type { PrecomputedRow, Prune } from '../metadata/metadata-store.js';
import { renderSegments, type Segment } from './summarizer.js';

export const KIND_PROFILE = 'profile';
export const KIND_TOPIC = 'topic';
export const KIND_SUMMARY = 'summary';
export const KIND_SIMILAR = 'similar';

export interface LlmText {
  text: string;
  model: string;
  sources: string[];
}

export interface EntityStat {
  name: string;
  /** Memories naming it when the profile was compiled. */
  count: number;
  /** Up to 200 of those memories (so removing them all drops the entity when it was that rare). */
  ids: string[];
}

export interface ProfileBody {
  compiledAtMs: number;
  memoryCount: number;
  top: string[];
  recent: string[];
  preferences: string[];
  entities: EntityStat[];
  topics: { id: string; label: string; size: number }[];
  segments: Segment[];
  llm?: LlmText;
}

export interface TopicBody {
  label: string;
  terms: string[];
  size: number;
  centroid: number[];
  segments: Segment[];
  llm?: LlmText;
}

export interface SummaryBody {
  kind: string;
  key: string;
  memoryCount: number;
  segments: Segment[];
  llm?: LlmText;
}

export interface SimilarBody {
  neighbors: { id: string; similarity: number }[];
}

/** The text to show: the LLM's when present, else the extractive segments. */
export function summaryText(b: { segments: Segment[]; llm?: LlmText }): string {
  return b.llm?.text ?? renderSegments(b.segments);
}

export function generatorOf(b: { llm?: LlmText }): string {
  return b.llm ? `llm:${b.llm.model}` : 'extractive';
}

/** Every id an artifact body with segments and an optional LLM text uses. */
export function textSources(b: { segments: Segment[]; llm?: LlmText }): string[] {
  return [...b.segments.map((s) => s.id), ...(b.llm?.sources ?? [])];
}

const keep = (ids: readonly string[], removed: ReadonlySet<string>) => ids.filter((id) => !removed.has(id));

function pruneText<T extends { segments: Segment[]; llm?: LlmText }>(b: T, removed: ReadonlySet<string>): T {
  const out = { ...b, segments: b.segments.filter((s) => !removed.has(s.id)) };
  if (b.llm && b.llm.sources.some((id) => removed.has(id))) delete out.llm;
  return out;
}

export const pruneArtifact: Prune = (row: PrecomputedRow, removed: ReadonlySet<string>): PrecomputedRow | undefined => {
  const sources = keep(row.sources, removed);
  switch (row.kind) {
    case KIND_PROFILE: {
      const b = row.body as ProfileBody;
      const entities = b.entities
        .map((e) => {
          const ids = keep(e.ids, removed);
          return { ...e, ids, count: e.count - (e.ids.length - ids.length) };
        })
        .filter((e) => e.count > 0 && e.ids.length > 0);
      const body: ProfileBody = { ...pruneText(b, removed), top: keep(b.top, removed), recent: keep(b.recent, removed), preferences: keep(b.preferences, removed), entities };
      return { ...row, body, sources };
    }
    case KIND_TOPIC: {
      if (sources.length === 0) return undefined;
      const b = row.body as TopicBody;
      return { ...row, body: { ...pruneText(b, removed), size: sources.length }, sources };
    }
    case KIND_SUMMARY: {
      const b = row.body as SummaryBody;
      const body = pruneText(b, removed);
      if (body.segments.length === 0 && !body.llm) return undefined;
      return { ...row, body, sources };
    }
    case KIND_SIMILAR: {
      if (removed.has(row.key)) return undefined;
      const b = row.body as SimilarBody;
      return { ...row, body: { neighbors: b.neighbors.filter((n) => !removed.has(n.id)) }, sources };
    }
    default:
      return { ...row, sources };
  }
};
