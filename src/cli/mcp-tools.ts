/**
 * The MCP tools an agent gets from `memory-engine mcp`: remember, search, assemble_context,
 * forget and get_profile, each one call of the public gRPC API through a Connection. With a
 * configured user the tools act for that user only and take no user_id; without one, user_id is
 * a required argument (and the API key's scopes decide what the service allows).
 */
import { status } from '@grpc/grpc-js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { packageVersion } from '../package-info.js';
import type { Connection } from './connect.js';

export interface McpToolsOptions {
  connection: Connection;
  /** The one user these tools act for; undefined = every tool takes a user_id. */
  user?: string;
  /** Per-call deadline towards the service. */
  deadlineMs: number;
}

interface Memory {
  id: string;
  content: string;
  kind: string;
  importance: number;
  createdAtMs: number;
  tags: string[];
}

export function createMcpServer(o: McpToolsOptions): McpServer {
  const server = new McpServer({ name: 'memory-engine', version: packageVersion() });
  // Typed as always present; with a configured user the schema has no user_id and userOf ignores it.
  const userArg = (o.user ? {} : { user_id: z.string().min(1).describe('the user whose memories these are') }) as { user_id: z.ZodString };
  const userOf = (args: { user_id?: string }): string => o.user ?? args.user_id ?? '';
  const call = <Res>(method: string, request: object) => o.connection.call<Res>(method, request, o.deadlineMs);

  server.registerTool(
    'remember',
    {
      description: 'Store something worth remembering about the user (a fact, preference, event or observation). Returns the new memory id.',
      inputSchema: {
        ...userArg,
        content: z.string().min(1).describe('the memory, one self-contained statement'),
        kind: z.string().optional().describe('fact | preference | event | observation | …'),
        tags: z.array(z.string()).optional(),
        importance: z.number().min(0).max(1).optional().describe('0..1, default 0.5'),
        session_id: z.string().optional().describe('the conversation this came from'),
        supersedes: z.array(z.string()).optional().describe('ids of memories this one corrects or replaces'),
      },
    },
    (args) =>
      run(async () => {
        const memory = { content: args.content, kind: args.kind, tags: args.tags, importance: args.importance, sessionId: args.session_id, supersedes: args.supersedes };
        const res = await call<{ id: string; created: boolean }>('Remember', { userId: userOf(args), memory });
        return { text: `remembered ${res.id}`, data: res };
      }),
  );

  server.registerTool(
    'search',
    {
      description: "Search the user's memories for what is relevant to a question. Returns the best matches, most relevant first.",
      inputSchema: {
        ...userArg,
        query: z.string().min(1),
        top_k: z.number().int().min(1).max(100).optional().describe('how many memories, default 10'),
        tags: z.array(z.string()).optional().describe('only memories with any of these tags'),
      },
    },
    (args) =>
      run(async () => {
        const filter = args.tags?.length ? { tagsAny: args.tags } : undefined;
        const res = await call<{ hits: { memory: Memory; score: number }[] }>('Search', { userId: userOf(args), query: args.query, topK: args.top_k ?? 10, filter });
        const lines = res.hits.map((h) => `- ${h.memory.content} (id ${h.memory.id}, ${h.memory.kind}, ${dateOf(h.memory.createdAtMs)}, score ${h.score.toFixed(3)})`);
        const hits = res.hits.map((h) => ({ id: h.memory.id, content: h.memory.content, kind: h.memory.kind, score: h.score, created_at_ms: h.memory.createdAtMs, tags: h.memory.tags }));
        return { text: lines.length ? lines.join('\n') : 'no memories match', data: { hits } };
      }),
  );

  server.registerTool(
    'assemble_context',
    {
      description:
        'Everything worth knowing about the user for the next turn, as one prompt-ready text within a token budget (profile, this session, relevant memories, topics, entities, time references).',
      inputSchema: {
        ...userArg,
        query: z.string().min(1).describe('what the next turn is about'),
        token_budget: z.number().int().min(1).optional().describe('tokens the context may take; default: the server default'),
        session_id: z.string().optional(),
      },
    },
    (args) =>
      run(async () => {
        const res = await call<{ text: string; tokens: number; tokenBudget: number }>('AssembleContext', {
          userId: userOf(args),
          query: args.query,
          tokenBudget: args.token_budget ?? 0,
          sessionId: args.session_id ?? '',
        });
        return { text: res.text || '(nothing known yet)', data: { text: res.text, tokens: res.tokens, token_budget: res.tokenBudget } };
      }),
  );

  server.registerTool(
    'forget',
    {
      description: 'Delete memories by id, for good.',
      inputSchema: { ...userArg, ids: z.array(z.string().min(1)).min(1) },
      annotations: { destructiveHint: true },
    },
    (args) =>
      run(async () => {
        const res = await call<{ deletedCount: number; deletedIds: string[] }>('Forget', { userId: userOf(args), ids: args.ids });
        return { text: `forgot ${res.deletedCount} ${res.deletedCount === 1 ? 'memory' : 'memories'}`, data: { deleted_ids: res.deletedIds } };
      }),
  );

  server.registerTool(
    'get_profile',
    {
      description: "The user's profile: a summary, preferences, most important and most recent memories, active topics.",
      inputSchema: { ...userArg },
      annotations: { readOnlyHint: true },
    },
    (args) =>
      run(async () => {
        const p = await call<{ summary: string; preferences: Memory[]; topMemories: Memory[]; activeTopics: string[]; memoryCount: number }>('GetProfile', { userId: userOf(args) });
        const part = (title: string, items: string[]) => (items.length ? [`## ${title}`, ...items.map((i) => `- ${i}`)] : []);
        const text = [
          ...(p.summary ? ['## Summary', p.summary] : []),
          ...part(
            'Preferences',
            p.preferences.map((m) => m.content),
          ),
          ...part(
            'Most important',
            p.topMemories.map((m) => m.content),
          ),
          ...part('Active topics', p.activeTopics),
        ].join('\n');
        return {
          text: text || '(no memories yet)',
          data: { summary: p.summary, preferences: p.preferences.map((m) => m.content), top_memories: p.topMemories.map((m) => m.content), active_topics: p.activeTopics, memory_count: p.memoryCount },
        };
      }),
  );
  return server;
}

/** One tool call: its text for the model, its data as structured content, a gRPC error as a tool error. */
async function run(fn: () => Promise<{ text: string; data: Record<string, unknown> }>): Promise<CallToolResult> {
  try {
    const { text, data } = await fn();
    return { content: [{ type: 'text', text }], structuredContent: data };
  } catch (e) {
    const g = e as { code?: number; details?: string; message?: string };
    // grpc-js's status enum maps a code back to its name (INVALID_ARGUMENT, …).
    const name = typeof g.code === 'number' ? (status[g.code] ?? String(g.code)) : 'ERROR';
    return { content: [{ type: 'text', text: `${name}: ${g.details ?? g.message ?? String(e)}` }], isError: true };
  }
}

function dateOf(ms: number): string {
  return new Date(Number(ms)).toISOString().slice(0, 10);
}
