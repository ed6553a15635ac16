import type { AuditInput, MetadataStore } from '../metadata/metadata-store.js';

/**
 * Appends the audit row, then runs the store mutation. A failed mutation is followed by a
 * best-effort `<operation>Failed` row, so the log never lacks a change that happened.
 */
export async function audited<T>(metadata: MetadataStore, audit: AuditInput, mutate: () => Promise<T>): Promise<T> {
  await metadata.appendAudit(audit);
  try {
    return await mutate();
  } catch (err) {
    await metadata
      .appendAudit({ ...audit, operation: `${audit.operation}Failed`, details: { ...audit.details, error: err instanceof Error ? err.message.slice(0, 200) : 'unknown' } })
      .catch(() => undefined);
    throw err;
  }
}
