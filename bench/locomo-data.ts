/**
 * LoCoMo (../shared/data/locomo/locomo10.json; evaluation use only, never copied into this
 * repository): its shape, the cleaning of its evidence ids, and the memories a conversation
 * becomes (one per turn, dated by its session, the speaker as entity, the turn id in metadata).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { arg, root } from './lib.js';

export interface Turn {
  speaker: string;
  dia_id: string;
  text: string;
  blip_caption?: string;
}
export interface Qa {
  question: string;
  evidence?: string[];
  category: number;
}
export interface Sample {
  sample_id: string;
  conversation: Record<string, string | Turn[]>;
  qa: Qa[];
}

export interface TurnMemory {
  content: string;
  metadata: { dia_id: string; session: string; speaker: string; date: string };
  entities: string[];
  sessionId: string;
}

export async function loadLocomo(): Promise<Sample[]> {
  return JSON.parse(await readFile(resolve(arg('data', join(root, '..', 'shared', 'data', 'locomo', 'locomo10.json'))), 'utf8')) as Sample[];
}

/** Evidence ids as given, cleaned: packed ids split, "D:11:26" read as D11:26, "D30:05" as D30:5, unknown ids dropped. */
export function cleanEvidence(raw: string[] | undefined, known: Set<string>): { ids: string[]; fixed: number; dropped: number } {
  const ids: string[] = [];
  let fixed = 0;
  let dropped = 0;
  for (const entry of raw ?? []) {
    const parts = entry.split(/[;,\s]+/).filter(Boolean);
    if (parts.length > 1) fixed++;
    for (const p of parts) {
      const m = /^D:?(\d+):(\d+)$/.exec(p);
      const id = m ? `D${Number(m[1])}:${Number(m[2])}` : undefined;
      if (id && id !== p) fixed++;
      if (id && known.has(id)) {
        if (!ids.includes(id)) ids.push(id);
      } else dropped++;
    }
  }
  return { ids, fixed, dropped };
}

/**
 * A conversation's turns as memories, in order. `dated`: the content carries the session date and
 * the speaker, "(date) Speaker: text" (the context benches); without it the content is the turn's
 * text alone and the date and speaker are only metadata (the LoCoMo bench, whose server puts them
 * in the indexed text by INDEX_TEXT_TEMPLATE).
 */
export function turnMemories(s: Sample, dated = true): TurnMemory[] {
  const out: TurnMemory[] = [];
  const sessions = Object.keys(s.conversation)
    .map((k) => /^session_(\d+)$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null && Array.isArray(s.conversation[m[0]]))
    .sort((a, b) => Number(a[1]) - Number(b[1]));
  for (const m of sessions) {
    const date = String(s.conversation[`${m[0]}_date_time`] ?? '');
    for (const t of s.conversation[m[0]] as Turn[]) {
      const caption = t.blip_caption ? ` [shares an image: ${t.blip_caption}]` : '';
      const text = `${t.text}${caption}`;
      out.push({
        content: dated ? `(${date}) ${t.speaker}: ${text}` : text,
        metadata: { dia_id: t.dia_id, session: m[1]!, speaker: t.speaker, date },
        entities: [t.speaker],
        sessionId: `session-${m[1]}`,
      });
    }
  }
  return out;
}
