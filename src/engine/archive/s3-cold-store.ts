/**
 * The cold store in an S3-compatible object store (AWS S3, SeaweedFS, MinIO, R2 …) through the
 * AWS SDK v3: one object per archived memory at `<prefix><user>/<memory id>`, the user as
 * base64url so any user id makes one safe path segment. An object is the memory's fields and
 * its vector (archive-codec.ts). A PUT that succeeded is durable: that is S3's promise.
 * An unreachable or failing endpoint gives UnavailableError.
 */
import { CreateBucketCommand, DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { UnavailableError } from '../../errors.js';
import type { MemoryRecord } from '../types.js';
import { decodeArchived, encodeArchived } from './archive-codec.js';
import type { ColdPage, ColdStore } from './cold-store.js';

export interface S3ColdStoreOptions {
  bucket: string;
  /** Empty: AWS's own endpoint for the region. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Key prefix of every object this deployment writes, e.g. "memory-engine/archive/". */
  prefix: string;
  /** Path-style URLs (http://host/bucket/key), which most S3-compatible servers want. */
  forcePathStyle: boolean;
  /** Requests in flight at once for per-object calls. */
  concurrency: number;
  timeoutMs: number;
}

/** DeleteObjects takes at most this many keys. */
const DELETE_BATCH = 1000;

export class S3ColdStore implements ColdStore {
  readonly kind = 's3';
  private readonly s3: S3Client;

  constructor(private readonly o: S3ColdStoreOptions) {
    this.s3 = new S3Client({
      region: o.region,
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      forcePathStyle: o.forcePathStyle,
      ...(o.accessKeyId ? { credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey } } : {}),
      maxAttempts: 3,
      // A request past its timeout fails (UNAVAILABLE) instead of only logging a warning.
      requestHandler: { requestTimeout: o.timeoutMs, connectionTimeout: o.timeoutMs, throwOnRequestTimeout: true },
    });
  }

  /** Checks the bucket, creating it when it does not exist. */
  async open(): Promise<void> {
    try {
      await this.call(() => this.s3.send(new HeadBucketCommand({ Bucket: this.o.bucket })));
    } catch (e) {
      if (!(e instanceof UnavailableError && /404|NotFound/i.test(e.message))) throw e;
      await this.call(() => this.s3.send(new CreateBucketCommand({ Bucket: this.o.bucket })));
    }
  }

  close(): void {
    this.s3.destroy();
  }

  private userPrefix(userId: string): string {
    return `${this.o.prefix}${Buffer.from(userId, 'utf8').toString('base64url')}/`;
  }

  private key(userId: string, id: string): string {
    return this.userPrefix(userId) + id;
  }

  async put(userId: string, records: readonly MemoryRecord[]): Promise<void> {
    await this.each(records, (r) =>
      this.call(() => this.s3.send(new PutObjectCommand({ Bucket: this.o.bucket, Key: this.key(userId, r.id), Body: encodeArchived(r), ContentType: 'application/octet-stream' }))),
    );
  }

  async get(userId: string, ids: readonly string[]): Promise<MemoryRecord[]> {
    const found = await this.each(ids, (id) => this.read(this.key(userId, id)));
    return found.filter((r): r is MemoryRecord => r !== undefined);
  }

  async list(userId: string, o: { after?: string; limit: number }): Promise<ColdPage> {
    const keys = await this.keys(userId, o.limit, o.after);
    const records = (await this.each(keys, (k) => this.read(k))).filter((r): r is MemoryRecord => r !== undefined);
    return keys.length < o.limit ? { records } : { records, next: keys[keys.length - 1]!.slice(this.userPrefix(userId).length) };
  }

  async delete(userId: string, ids: readonly string[]): Promise<string[]> {
    // DeleteObjects reports a key deleted whether or not it existed: look first.
    const existing = (await this.each(ids, async (id) => ((await this.read(this.key(userId, id))) ? id : undefined))).filter((id): id is string => id !== undefined);
    await this.deleteKeys(existing.map((id) => this.key(userId, id)));
    return existing;
  }

  async deleteUser(userId: string): Promise<number> {
    let n = 0;
    for (;;) {
      const keys = await this.keys(userId, DELETE_BATCH);
      if (keys.length === 0) return n;
      await this.deleteKeys(keys);
      n += keys.length;
    }
  }

  async count(userId: string): Promise<number> {
    let n = 0;
    let after: string | undefined;
    for (;;) {
      const keys = await this.keys(userId, DELETE_BATCH, after);
      n += keys.length;
      if (keys.length < DELETE_BATCH) return n;
      after = keys[keys.length - 1]!.slice(this.userPrefix(userId).length);
    }
  }

  /** Up to `limit` object keys of the user, in key (= memory id) order, after the memory id `after`. */
  private async keys(userId: string, limit: number, after?: string): Promise<string[]> {
    const prefix = this.userPrefix(userId);
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.call(() =>
        this.s3.send(
          new ListObjectsV2Command({
            Bucket: this.o.bucket,
            Prefix: prefix,
            MaxKeys: Math.min(1000, limit - out.length),
            ...(token ? { ContinuationToken: token } : after ? { StartAfter: prefix + after } : {}),
          }),
        ),
      );
      for (const c of page.Contents ?? []) if (c.Key) out.push(c.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token && out.length < limit);
    return out;
  }

  private async deleteKeys(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const part = keys.slice(i, i + DELETE_BATCH);
      const res = await this.call(() => this.s3.send(new DeleteObjectsCommand({ Bucket: this.o.bucket, Delete: { Objects: part.map((Key) => ({ Key })), Quiet: true } })));
      if (res.Errors && res.Errors.length > 0)
        throw new UnavailableError(`object store refused to delete ${res.Errors.length} archived memories: ${res.Errors[0]!.Code ?? ''} ${res.Errors[0]!.Message ?? ''}`);
    }
  }

  private async read(key: string): Promise<MemoryRecord | undefined> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: key }));
      return decodeArchived(await res.Body!.transformToByteArray());
    } catch (e) {
      if (e instanceof NoSuchKey || (e instanceof S3ServiceException && e.$metadata.httpStatusCode === 404)) return undefined;
      throw unavailable(e);
    }
  }

  /** Runs `f` over `xs`, `concurrency` at a time; results in order. */
  private async each<T, R>(xs: readonly T[], f: (x: T) => Promise<R>): Promise<R[]> {
    const out = new Array<R>(xs.length);
    let next = 0;
    const worker = async () => {
      while (next < xs.length) {
        const i = next++;
        out[i] = await f(xs[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, xs.length) }, worker));
    return out;
  }

  private async call<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw unavailable(e);
    }
  }
}

function unavailable(e: unknown): UnavailableError {
  if (e instanceof UnavailableError) return e;
  const status = e instanceof S3ServiceException ? ` (HTTP ${e.$metadata.httpStatusCode ?? '?'} ${e.name})` : '';
  return new UnavailableError(`archive object store: ${e instanceof Error ? e.message : String(e)}${status}`, { cause: e });
}
