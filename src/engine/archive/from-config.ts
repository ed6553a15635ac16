/** The cold store the configuration asks for: S3 when ARCHIVE_S3_BUCKET is set, the archive table otherwise. */
import type { Config } from '../../config.js';
import type { ArchiveRows } from '../../metadata/metadata-store.js';
import type { ColdStore } from './cold-store.js';
import { TableColdStore } from './table-cold-store.js';

/** Per-object S3 calls in flight at once, and how long one may take. */
const S3_CONCURRENCY = 16;
const S3_TIMEOUT_MS = 10_000;

/** The AWS SDK is loaded only when S3 is configured: ~140 ms of every start otherwise. */
export async function buildColdStore(c: Config, table: ArchiveRows): Promise<ColdStore> {
  if (!c.archiveS3Bucket) return new TableColdStore(table);
  const { S3ColdStore } = await import('./s3-cold-store.js');
  return new S3ColdStore({
    bucket: c.archiveS3Bucket,
    endpoint: c.archiveS3Endpoint,
    region: c.archiveS3Region,
    accessKeyId: c.archiveS3AccessKeyId,
    secretAccessKey: c.archiveS3SecretAccessKey,
    prefix: c.archiveS3Prefix,
    forcePathStyle: c.archiveS3ForcePathStyle,
    concurrency: S3_CONCURRENCY,
    timeoutMs: S3_TIMEOUT_MS,
  });
}
