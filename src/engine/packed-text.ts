/**
 * Compressed memory content (lifecycle compression). A packed text is its Brotli bytes in
 * base64 behind a marker that starts with NUL, a character validation refuses in any content,
 * so a packed text can never be mistaken for a written one. Stores keep content packed and
 * unpack it when they hand a record out: above the stores, content is always the text.
 */
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

const MARK = '\u0000br:';

export function isPacked(stored: string): boolean {
  return stored.startsWith(MARK);
}

/**
 * The packed form of a text: Brotli in text mode, quality 9, a 64 KB window. Measured on 2 KB of
 * English words: the default 4 MB window costs 1.9 ms per call (it is set up per call), 64 KB
 * costs 0.08 ms for the same size (863 bytes); quality 11 saves 12% more at 2.6 ms.
 */
export function pack(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  const z = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: 9,
      [constants.BROTLI_PARAM_LGWIN]: 16,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  return MARK + z.toString('base64');
}

/** The text of stored content, packed or not. */
export function unpack(stored: string): string {
  return isPacked(stored) ? brotliDecompressSync(Buffer.from(stored.slice(MARK.length), 'base64')).toString('utf8') : stored;
}

/** A record or meta with its content as text (the same object when it was not packed). */
export function unpacked<T extends { readonly content: string }>(m: T): T {
  return isPacked(m.content) ? { ...m, content: unpack(m.content) } : m;
}
