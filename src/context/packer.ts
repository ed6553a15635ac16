/**
 * Packing: the candidates of every section → one context within a token budget. Pure.
 *
 * 1. Each memory stays only in the section that scores it highest (ties: the earlier section),
 *    and never again once sent (StreamContext's earlier stages).
 * 2. "Load immediately" candidates go first (pinned; importance > 0.8 and younger than 7 days; in
 *    an active topic; from the last session), best first, up to a share of the budget, so a tight
 *    budget keeps them without their crowding out what the turn is about; then the rest by score.
 *    A token share the caller gave is a hard cap.
 * 3. Sections render in their fixed order, memories in the section's own order. The whole text
 *    is counted again at the end and the lowest-scored memories leave until it fits: the budget
 *    holds for the text as the model will count it, not only for the sum of its lines.
 * The same candidates give the same text.
 */
import type { ServedBy } from '../engine/cache/tiered-cache.js';
import type { MemoryRecord } from '../engine/types.js';
import { SECTION_NAMES, type SectionName, type Stage } from './sections.js';
import type { TokenCounter } from './tokenizer.js';

export interface Candidate {
  section: SectionName;
  /** The memory; undefined for a section's preamble (a summary or a label). */
  memory?: MemoryRecord;
  /** The rendered line(s), ending with a newline. */
  text: string;
  /** Memo key for the token count (changes whenever `text` does). */
  key: string;
  score: number;
  /** The first StreamContext stage that may send it. */
  stage: Stage;
  /** Kept first when the budget is tight. */
  immediate: boolean;
  /** Memories a preamble's text already carries (they are not repeated elsewhere). */
  covers?: readonly string[];
}

export interface SectionDraft {
  name: SectionName;
  title: string;
  detail: string;
  tier: ServedBy;
  candidates: Candidate[];
  /** Order of the memories in the text. */
  order: 'score' | 'newest';
}

export interface PackedSection {
  name: SectionName;
  title: string;
  detail: string;
  tier: ServedBy;
  /** Memories (and the preamble, first) in text order. */
  items: Candidate[];
  text: string;
  tokens: number;
}

export interface Packed {
  sections: PackedSection[];
  text: string;
  tokens: number;
  /** Sections left with memories of their own once each memory went to the section scoring it highest. */
  assigned: ReadonlySet<SectionName>;
}

export interface PackInput {
  drafts: readonly SectionDraft[];
  budget: number;
  /** Most tokens a section may take (the caller's token share of the budget). */
  caps?: Partial<Record<SectionName, number>>;
  /** Share of the budget "load immediately" memories take first (the rest of them compete by score). */
  immediateShare?: number;
  /** Memory ids already sent: never packed again. */
  sent?: ReadonlySet<string>;
  /** Only candidates of this stage or earlier. */
  stage?: Stage;
  /** Sections already opened by an earlier stage: their heading says so. */
  continued?: ReadonlySet<SectionName>;
  counter: TokenCounter;
}

const ORDER = new Map(SECTION_NAMES.map((n, i) => [n, i]));
const SEPARATOR = '\n';

export function heading(title: string, detail: string, continued: boolean): string {
  return `## ${title}${detail ? ` (${detail})` : ''}${continued ? ' (continued)' : ''}\n`;
}

/** One memory as a line of the context: its date and its text on one line. */
export function memoryLine(r: MemoryRecord): string {
  const date = new Date(r.createdAtMs).toISOString().slice(0, 10);
  return `- [${date}] ${r.content.replace(/\s*[\r\n]+\s*/g, ' ').trim()}\n`;
}

function better(a: Candidate, b: Candidate): boolean {
  return a.score > b.score || (a.score === b.score && ORDER.get(a.section)! < ORDER.get(b.section)!);
}

function byScoreThenOrder(a: Candidate, b: Candidate): number {
  if (a.score !== b.score) return b.score - a.score;
  const s = ORDER.get(a.section)! - ORDER.get(b.section)!;
  return s !== 0 ? s : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** "Load immediately" first, then by score. */
function rank(a: Candidate, b: Candidate): number {
  if (a.immediate !== b.immediate) return a.immediate ? -1 : 1;
  return byScoreThenOrder(a, b);
}

function render(drafts: readonly SectionDraft[], chosen: ReadonlySet<Candidate>, continued: ReadonlySet<SectionName> | undefined, counter: TokenCounter): Packed {
  const sections: PackedSection[] = [];
  for (const d of [...drafts].sort((a, b) => ORDER.get(a.name)! - ORDER.get(b.name)!)) {
    const items = d.candidates.filter((c) => chosen.has(c));
    if (items.length === 0) continue;
    const preamble = items.filter((c) => !c.memory);
    const memories = items.filter((c) => c.memory);
    if (d.order === 'newest') memories.sort((a, b) => b.memory!.createdAtMs - a.memory!.createdAtMs || (a.key < b.key ? -1 : 1));
    else memories.sort(rank);
    const ordered = [...preamble, ...memories];
    const text = heading(d.title, d.detail, continued?.has(d.name) ?? false) + ordered.map((c) => c.text).join('');
    sections.push({ name: d.name, title: d.title, detail: d.detail, tier: d.tier, items: ordered, text, tokens: counter.tokens(text) });
  }
  const text = sections.map((s) => s.text).join(SEPARATOR);
  return { sections, text, tokens: counter.tokens(text), assigned: new Set() };
}

export function pack(p: PackInput): Packed {
  const stage = p.stage ?? 4;
  const sent = p.sent ?? new Set<string>();
  const best = new Map<string, Candidate>();
  const preambles: Candidate[] = [];
  for (const d of p.drafts)
    for (const c of d.candidates) {
      if (c.stage > stage) continue;
      if (!c.memory) {
        const covers = c.covers ?? [];
        if (covers.length === 0 || covers.filter((id) => sent.has(id)).length * 2 <= covers.length) preambles.push(c);
        continue;
      }
      if (sent.has(c.memory.id)) continue;
      const have = best.get(c.memory.id);
      if (!have || better(c, have)) best.set(c.memory.id, c);
    }
  const byScore = [...preambles, ...best.values()].sort(byScoreThenOrder);
  const assigned = new Set(byScore.map((c) => c.section));
  // "Load immediately" memories first, best first, up to their share of the budget.
  const first: Candidate[] = [];
  let firstTokens = 0;
  const firstCap = Math.floor(p.budget * (p.immediateShare ?? 1));
  for (const c of byScore) {
    if (!c.immediate) continue;
    const cost = p.counter.tokensOf(c.key, c.text);
    if (firstTokens + cost > firstCap) continue;
    first.push(c);
    firstTokens += cost;
  }
  const isFirst = new Set(first);
  const pool = [...first, ...byScore.filter((c) => !isFirst.has(c))];

  const chosen = new Set<Candidate>();
  const covered = new Set<string>();
  const used = new Map<SectionName, number>();
  const draftOf = new Map(p.drafts.map((d) => [d.name, d]));
  let total = 0;
  for (const c of pool) {
    if (c.memory && covered.has(c.memory.id)) continue;
    const open = used.has(c.section);
    const d = draftOf.get(c.section)!;
    const continued = p.continued?.has(c.section) ?? false;
    const head = open ? 0 : p.counter.tokensOf(`h:${d.title}:${d.detail}:${continued ? 1 : 0}`, heading(d.title, d.detail, continued)) + (total > 0 ? 1 : 0);
    const cost = head + p.counter.tokensOf(c.key, c.text);
    const after = (used.get(c.section) ?? 0) + cost;
    const cap = p.caps?.[c.section];
    if (total + cost > p.budget || (cap !== undefined && after > cap)) continue;
    chosen.add(c);
    total += cost;
    used.set(c.section, after);
    for (const id of c.covers ?? []) covered.add(id);
  }
  // Drop covered memories chosen before their preamble was.
  for (const c of chosen) if (c.memory && covered.has(c.memory.id)) chosen.delete(c);

  let out = render(p.drafts, chosen, p.continued, p.counter);
  // The text as counted whole is the truth: drop the lowest-ranked until it fits.
  const byRank = [...chosen].sort(rank);
  while (out.tokens > p.budget && byRank.length > 0) {
    chosen.delete(byRank.pop()!);
    out = render(p.drafts, chosen, p.continued, p.counter);
  }
  return { ...out, assigned };
}
