/**
 * The text a memory is embedded and keyword-indexed by. By default its content; with a template
 * (INDEX_TEXT_TEMPLATE) the content with chosen fields around it, e.g. `({metadata.date})
 * {metadata.speaker}: {content}`: a turn's date and speaker are what questions about it ask for.
 * The stored content never changes; only what the indexes see.
 *
 * Placeholders: {content} {kind} {agent_id} {session_id} {task_id} {namespace} {tags}
 * {entities} {created_date} (UTC, YYYY-MM-DD) and {metadata.KEY}. A field that is empty renders
 * as nothing; a template without {content} is refused.
 */
import { ConfigError } from '../../errors.js';
import type { MemoryMeta } from '../types.js';

type Field = (m: MemoryMeta) => string;

const FIELDS: Record<string, Field> = {
  content: (m) => m.content,
  kind: (m) => m.kind,
  agent_id: (m) => m.agentId,
  session_id: (m) => m.sessionId,
  task_id: (m) => m.taskId,
  namespace: (m) => m.namespace,
  tags: (m) => m.tags.join(', '),
  entities: (m) => m.entities.join(', '),
  created_date: (m) => (m.createdAtMs > 0 ? new Date(m.createdAtMs).toISOString().slice(0, 10) : ''),
};

/** The fields a memory's index text reads: an update that changes none of them keeps its vectors. */
export type IndexText = (m: MemoryMeta) => string;

export function compileIndexText(template: string): IndexText {
  if (template === '' || template === '{content}') return (m) => m.content;
  const parts: (string | Field)[] = [];
  let hasContent = false;
  let last = 0;
  for (const match of template.matchAll(/\{([a-z_]+(?:\.[^{}]+)?)\}/g)) {
    parts.push(template.slice(last, match.index));
    const name = match[1]!;
    let field: Field | undefined = FIELDS[name];
    if (name.startsWith('metadata.')) {
      const key = name.slice('metadata.'.length);
      field = (m) => m.metadata[key] ?? '';
    }
    if (!field) throw new ConfigError('INDEX_TEXT_TEMPLATE', `has an unknown placeholder {${name}} (known: ${Object.keys(FIELDS).join(', ')}, metadata.KEY)`);
    if (name === 'content') hasContent = true;
    parts.push(field);
    last = match.index + match[0].length;
  }
  parts.push(template.slice(last));
  if (!hasContent) throw new ConfigError('INDEX_TEXT_TEMPLATE', 'must contain {content}');
  return (m) => {
    let s = '';
    for (const p of parts) s += typeof p === 'string' ? p : p(m);
    return s.trim();
  };
}
