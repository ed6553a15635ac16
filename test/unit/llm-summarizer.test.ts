/**
 * LlmSummarizer against a local OpenAI-compatible HTTP server: many calls under one run's signal
 * leave no listener on it (they used to pile up until Node warned MaxListenersExceeded), and an
 * abort of that signal still cancels the call in flight.
 */
import { getEventListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmSummarizer } from '../../src/precompute/summarizer.js';

let server: Server;
let base = '';
let slow = false;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const answer = () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'x',
            object: 'chat.completion',
            created: 0,
            model: 'test',
            choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Alice likes tea.' } }],
          }),
        );
      };
      if (slow) setTimeout(answer, 5000).unref();
      else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const items = [{ id: 'm1', content: 'Alice likes green tea', embedding: new Float32Array(4), createdAtMs: 1, importance: 0.5 }];

describe('LlmSummarizer', () => {
  it("leaves no listener on the run's signal, however many calls share it", async () => {
    const summarizer = new LlmSummarizer({ baseURL: base, apiKey: 'k', model: 'test', timeoutMs: 5000, maxInputs: 10 });
    const run = new AbortController();
    for (let i = 0; i < 30; i++) expect((await summarizer.summarize(items, { subject: 'memories', tokenBudget: 50, signal: run.signal })).text).toBe('Alice likes tea.');
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it("cancels the call in flight when the run's signal aborts", async () => {
    slow = true;
    try {
      const summarizer = new LlmSummarizer({ baseURL: base, apiKey: 'k', model: 'test', timeoutMs: 10_000, maxInputs: 10 });
      const run = new AbortController();
      const pending = summarizer.summarize(items, { subject: 'memories', tokenBudget: 50, signal: run.signal });
      setTimeout(() => run.abort(), 100);
      await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
    } finally {
      slow = false;
    }
  });
});
