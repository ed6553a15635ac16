import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** fsyncs a directory so that file creations and renames inside it are durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes `chunks` to `path` durably: temp file, fsync, rename, fsync of the directory. */
export async function writeFileDurable(path: string, chunks: Iterable<Uint8Array | string> | AsyncIterable<Uint8Array | string>): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    for await (const c of chunks) await fh.write(typeof c === 'string' ? Buffer.from(c) : c);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await syncDir(dirname(path));
}
