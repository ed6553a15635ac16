/**
 * An AssembleContext / StreamContext request, checked: every bad value is refused with
 * INVALID_ARGUMENT naming its field before any section starts.
 */
import type { Limits } from '../engine/validate.js';
import * as v from '../engine/validate.js';
import { InvalidArgumentError } from '../errors.js';
import { SECTION_NAMES, type SectionName } from './sections.js';

export interface ContextRequestInput {
  userId?: string;
  query?: string;
  tokenBudget?: number;
  sessionId?: string;
  recentTurns?: { role?: string; content?: string }[];
  sections?: { name?: string; weight?: number; tokenShare?: number }[];
  referenceTimeMs?: number;
  queryVector?: ArrayLike<number>;
}

export interface ContextRequest {
  userId: string;
  query: string;
  budget: number;
  sessionId: string;
  /** Turn texts, oldest first. */
  turns: string[];
  /** The sections asked for, in the fixed order, with the weights and token caps the caller gave. */
  sections: Map<SectionName, { weight?: number; cap?: number }>;
  nowMs: number;
  /** The client's query vector, when it sent one. */
  vector?: Float32Array;
}

export interface ContextLimits {
  defaultTokens: number;
  maxTokens: number;
  maxTurns: number;
  /** Most bytes of all recent turns together. */
  maxTurnBytes: number;
}

export function checkContextRequest(r: ContextRequestInput, limits: Limits, c: ContextLimits): ContextRequest {
  const userId = v.checkUserId(r.userId);
  const vector = v.checkVector('query_vector', r.queryVector, limits);
  if (!vector && (r.query ?? '').trim() === '') throw new InvalidArgumentError('query', 'is required (or send query_vector)');
  const query = v.checkContent('query', r.query, limits, false);
  const raw = r.tokenBudget ?? 0;
  if (!Number.isSafeInteger(raw) || raw < 0) throw new InvalidArgumentError('token_budget', `must be a positive integer (or 0 for the default ${c.defaultTokens}), got ${raw}`);
  const budget = raw === 0 ? c.defaultTokens : raw;
  if (budget < 16 || budget > c.maxTokens) throw new InvalidArgumentError('token_budget', `must be between 16 and ${c.maxTokens}, got ${raw}`);
  const sessionId = v.checkIdentifier('session_id', r.sessionId, false);

  const turnsIn = r.recentTurns ?? [];
  if (turnsIn.length > c.maxTurns) throw new InvalidArgumentError('recent_turns', `has ${turnsIn.length} turns, the limit is ${c.maxTurns} (send the most recent ones)`);
  let bytes = 0;
  const turns = turnsIn.map((t, i) => {
    v.checkShort(`recent_turns[${i}].role`, t.role);
    const content = v.checkContent(`recent_turns[${i}].content`, t.content, limits, false);
    bytes += Buffer.byteLength(content);
    if (bytes > c.maxTurnBytes) throw new InvalidArgumentError('recent_turns', `hold more than ${c.maxTurnBytes} bytes together`);
    return content;
  });

  const asked = r.sections ?? [];
  const sections = new Map<SectionName, { weight?: number; cap?: number }>();
  const given = new Map<SectionName, { weight?: number; cap?: number }>();
  asked.forEach((s, i) => {
    const name = (s.name ?? '').trim().toLowerCase();
    if (!(SECTION_NAMES as readonly string[]).includes(name)) throw new InvalidArgumentError(`sections[${i}].name`, `unknown section ${v.echo(s.name ?? '')} (one of ${SECTION_NAMES.join(', ')})`);
    const n = name as SectionName;
    if (given.has(n)) throw new InvalidArgumentError(`sections[${i}].name`, `repeats section ${n}`);
    const weight = s.weight ?? 0;
    if (!Number.isFinite(weight) || weight < 0 || weight > 10) throw new InvalidArgumentError(`sections[${i}].weight`, `must be between 0 and 10, got ${weight}`);
    const share = s.tokenShare ?? 0;
    if (!Number.isFinite(share) || share < 0 || share > 1) throw new InvalidArgumentError(`sections[${i}].token_share`, `must be between 0 and 1, got ${share}`);
    given.set(n, { ...(weight > 0 ? { weight } : {}), ...(share > 0 ? { cap: Math.floor(share * budget) } : {}) });
  });
  for (const n of SECTION_NAMES) {
    const g = asked.length === 0 ? {} : given.get(n);
    if (g) sections.set(n, g);
  }
  const ref = r.referenceTimeMs ?? 0;
  const nowMs = ref === 0 ? Date.now() : v.checkTimeMs('reference_time_ms', ref);
  return { userId, query, budget, sessionId, turns, sections, nowMs, ...(vector ? { vector } : {}) };
}
