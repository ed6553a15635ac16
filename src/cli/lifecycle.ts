/**
 * `memory-engine export | import | maintenance run|pause|resume`: a user's data out and back as
 * JSON lines, and maintenance jobs on demand, against a running service (--address) or the data
 * directory of a stopped one; a running service's background jobs paused for a while and
 * resumed. Long jobs show their progress on stderr.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DirectoryInUseError } from '../directory-lock.js';
import { ConfigError } from '../errors.js';
import { connect, type Connection } from './connect.js';
import { Progress } from './progress.js';

const CONNECTION_HELP = `connection:
  --address HOST:PORT   a running service (or MEMORY_ENGINE_ADDRESS); without one, the command
                        opens DATA_DIR itself, which works only while the service is stopped
  --api-key KEY         the API key, when the service asks for one (or MEMORY_ENGINE_API_KEY)`;

export const USAGE: Record<'export' | 'import' | 'maintenance', string> = {
  export: `usage: memory-engine export --user USER [--out FILE] [--embeddings] [connection]
  Writes the user's memories (hot and archived, with supersession links), tasks and audit
  trail as JSON lines to FILE (default: stdout).
  --embeddings          include the vectors (an import then needs no embedder)
${CONNECTION_HELP}`,
  import: `usage: memory-engine import --file FILE [--user USER] [--batch N] [connection]
  Imports JSON lines as export writes them, N lines per call (default 500). Idempotent: ids are
  kept and importing the same file again changes nothing. A bad line stops the import with its
  line number; the batches before it are in, nothing of its own batch is.
  --user USER           the user to import into (default: the user of the file's header)
${CONNECTION_HELP}`,
  maintenance: `usage: memory-engine maintenance run [--kind KIND] [--user USER] [--dry-run] [connection]
       memory-engine maintenance pause --for DURATION --address HOST:PORT [--api-key KEY]
       memory-engine maintenance resume --address HOST:PORT [--api-key KEY]
  run: runs a maintenance job for one user or for every user, and prints what it did.
  --kind KIND           ttl | decay | compress | archive | gc | maintenance (all five; default)
  --dry-run             count what would change, change nothing
  pause: no background job (precompute or maintenance) starts on that service instance, and
  running ones wait, until DURATION has passed (e.g. 90s, 15m, 2h; at most 24h) or resume.
  Needs an admin key when the service asks for keys.
${CONNECTION_HELP}`,
};

const KINDS = ['ttl', 'decay', 'compress', 'archive', 'gc', 'maintenance'];
const MAINTENANCE_COMMANDS = ['run', 'pause', 'resume'];
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "90s", "15m", "2h", "500ms" → ms; undefined when it is not a positive duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
  return ms > 0 ? ms : undefined;
}
const CONNECTION_OPTIONS = { address: { type: 'string' }, 'api-key': { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

type Out = (s: string) => void;

/** Runs `memory-engine <command> …`; resolves with the process exit code. */
export async function runLifecycleCli(
  command: 'export' | 'import' | 'maintenance',
  args: string[],
  env: Record<string, string | undefined>,
  out: Out = (s) => process.stdout.write(s + '\n'),
  err: Out = (s) => process.stderr.write(s + '\n'),
): Promise<number> {
  const options = (
    {
      export: { ...CONNECTION_OPTIONS, user: { type: 'string' }, out: { type: 'string' }, embeddings: { type: 'boolean' } },
      import: { ...CONNECTION_OPTIONS, file: { type: 'string' }, user: { type: 'string' }, batch: { type: 'string' } },
      maintenance: { ...CONNECTION_OPTIONS, kind: { type: 'string' }, user: { type: 'string' }, 'dry-run': { type: 'boolean' }, for: { type: 'string' } },
    } as const
  )[command] as ParseArgsConfig['options'];
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: command === 'maintenance', strict: true });
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE[command]}`);
    return 2;
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (v.help) {
    out(USAGE[command]);
    return 0;
  }
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const usageError = (msg: string) => {
    err(`${msg}\n${USAGE[command]}`);
    return 2;
  };
  if (command === 'export' && !str('user')) return usageError('--user is required');
  if (command === 'import' && !str('file')) return usageError('--file is required');
  const address = str('address') ?? env.MEMORY_ENGINE_ADDRESS;
  const sub = parsed.positionals[0] ?? '';
  let pauseMs = 0;
  if (command === 'maintenance') {
    if (parsed.positionals.length !== 1 || !MAINTENANCE_COMMANDS.includes(sub)) return usageError(`unknown maintenance command ${parsed.positionals.join(' ') || '(none)'}`);
    if (str('kind') && !KINDS.includes(str('kind')!)) return usageError(`--kind must be one of ${KINDS.join(', ')}`);
    // A pause is of a running service's jobs: the data directory opened here has none worth pausing.
    if (sub !== 'run' && !address) return usageError(`maintenance ${sub} needs --address (a running service)`);
    if (sub === 'pause') {
      const ms = str('for') === undefined ? undefined : parseDuration(str('for')!);
      if (ms === undefined) return usageError('--for must be a duration such as 90s, 15m or 2h');
      pauseMs = ms;
    } else if (str('for') !== undefined) return usageError('--for goes with maintenance pause');
  }
  const batch = Number(str('batch') ?? 500);
  if (!Number.isSafeInteger(batch) || batch < 1) return usageError('--batch must be a positive integer');

  let conn: Connection;
  try {
    conn = await connect(
      {
        ...(address ? { address } : {}),
        ...((str('api-key') ?? env.MEMORY_ENGINE_API_KEY) ? { apiKey: str('api-key') ?? env.MEMORY_ENGINE_API_KEY } : {}),
      },
      env,
    );
  } catch (e) {
    if (e instanceof DirectoryInUseError) {
      err(`${e.message}\n(the service holds the data directory while it runs: stop it, or pass --address to talk to it)`);
      return 1;
    }
    if (e instanceof ConfigError) {
      err(`invalid configuration: ${e.message}`);
      return 2;
    }
    throw e;
  }
  try {
    if (command === 'export') return await exportUser(conn, str('user')!, str('out'), v.embeddings === true, err);
    if (command === 'import') return await importFile(conn, str('file')!, str('user'), batch, out, err);
    if (sub === 'pause' || sub === 'resume') return await pauseJobs(conn, pauseMs, out);
    return await runMaintenance(conn, str('kind') ?? 'maintenance', str('user'), v['dry-run'] === true, out);
  } catch (e) {
    const g = e as { code?: number; details?: string; message?: string };
    err(`${command} failed: ${g.details ?? g.message ?? String(e)}`);
    return 1;
  } finally {
    await conn.close();
  }
}

async function exportUser(conn: Connection, userId: string, file: string | undefined, embeddings: boolean, err: Out): Promise<number> {
  const sink = file ? createWriteStream(file) : process.stdout;
  const progress = new Progress({ label: `export ${userId}`, unit: 'lines' });
  for await (const chunk of conn.stream<{ lines: string[] }>('ExportUser', { userId, includeEmbeddings: embeddings })) {
    if (!sink.write(chunk.lines.join('\n') + '\n')) await once(sink, 'drain');
    progress.add(chunk.lines.length);
  }
  if (file) {
    (sink as NodeJS.WritableStream).end();
    await once(sink, 'finish');
  }
  progress.finish(file ? `→ ${file}` : '');
  if (!file) err(''); // the progress line ends on stderr, whatever stdout is
  return 0;
}

async function importFile(conn: Connection, file: string, user: string | undefined, batchSize: number, out: Out, err: Out): Promise<number> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  const progress = new Progress({ label: `import ${file}`, unit: 'lines' });
  const totals = { memories: 0, unchanged: 0, tasks: 0, auditEvents: 0 };
  let userId = user;
  let batch: string[] = [];
  let first = 1;
  let n = 0;
  const send = async () => {
    if (batch.length === 0) return;
    if (!userId) throw new Error('the file has no header line naming its user: pass --user');
    const res = await conn.call<typeof totals>('ImportUser', { userId, lines: batch, firstLine: first });
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += Number(res[k]);
    progress.add(batch.length);
    first += batch.length;
    batch = [];
  };
  for await (const line of lines) {
    n++;
    if (n === 1 && !userId) {
      try {
        const header = JSON.parse(line) as { type?: string; user_id?: string };
        if (header.type === 'header' && typeof header.user_id === 'string') userId = header.user_id;
      } catch {
        // Not a header: the server names the line when it sees the batch.
      }
    }
    batch.push(line);
    if (batch.length >= batchSize) await send();
  }
  await send();
  progress.finish();
  out(`imported into ${userId ?? '?'} from ${conn.target}: ${totals.memories} memories written, ${totals.unchanged} unchanged, ${totals.tasks} tasks, ${totals.auditEvents} audit events`);
  void err;
  return 0;
}

interface Job {
  id: string;
  status: string;
  counts: Record<string, number>;
  error: string;
}

async function runMaintenance(conn: Connection, kind: string, user: string | undefined, dryRun: boolean, out: Out): Promise<number> {
  const users: string[] = [];
  if (user) users.push(user);
  else {
    let pageToken = '';
    do {
      const page = await conn.call<{ userIds: string[]; nextPageToken: string }>('ListUsers', { pageSize: 1000, pageToken });
      users.push(...page.userIds);
      pageToken = page.nextPageToken;
    } while (pageToken);
  }
  const progress = new Progress({ label: `${kind}${dryRun ? ' (dry run)' : ''}`, unit: 'users', total: users.length });
  const totals: Record<string, number> = {};
  let failed = 0;
  for (const userId of users) {
    let job = await conn.call<Job>('TriggerPrecompute', { userId, job: kind, dryRun });
    while (job.status === 'QUEUED' || job.status === 'RUNNING') {
      await new Promise((r) => setTimeout(r, 100));
      job = await conn.call<Job>('GetJob', { userId, jobId: job.id });
    }
    if (job.status !== 'SUCCEEDED') {
      failed++;
      out(`${userId}: ${job.status}${job.error ? ` (${job.error})` : ''}`);
    }
    for (const [k, n] of Object.entries(job.counts)) if (!k.endsWith('asOfMs')) totals[k] = (totals[k] ?? 0) + Number(n);
    progress.add(1, userId);
  }
  progress.finish();
  const summary = Object.entries(totals)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k}=${n}`)
    .join(' ');
  out(`${kind}${dryRun ? ' (dry run, nothing changed)' : ''} on ${conn.target}: ${users.length} users${failed ? `, ${failed} failed` : ''}${summary ? `: ${summary}` : ''}`);
  return failed > 0 ? 1 : 0;
}

async function pauseJobs(conn: Connection, durationMs: number, out: Out): Promise<number> {
  const s = await conn.call<{ pausedUntilMs: number; running: number; queued: number }>('PauseBackgroundJobs', { durationMs });
  const state = s.pausedUntilMs > 0 ? `paused until ${new Date(Number(s.pausedUntilMs)).toISOString()}` : 'running';
  out(`background jobs on ${conn.target}: ${state} (${s.running} in progress, ${s.queued} queued)`);
  return 0;
}
