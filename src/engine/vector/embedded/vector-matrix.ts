/**
 * Append-only matrix of unit vectors, stored in blocks of `blockRows` rows, each block its own
 * ArrayBuffer.
 *
 * Why blocks: usearch's native `exactSearch` reads from the start of a typed array's
 * ArrayBuffer and ignores its byteOffset, so it must only ever see views that start at offset 0.
 * A block is always passed from its first row (rows before the wanted range are scanned and
 * dropped, at most one block's worth). Blocks also make growth cheap: only the last, partly
 * filled block is ever reallocated, never the whole matrix.
 *
 * Rows are never changed once written (a reallocated block is a new buffer; the old one is left
 * as it was), so a snapshot may keep references to the blocks and write them later.
 */
import { exactSearch, MetricKind } from 'usearch';

export interface RowMatch {
  row: number;
  similarity: number;
}

export class VectorMatrix {
  private blocks: Float32Array[] = [];
  rows = 0;

  constructor(
    readonly dims: number,
    readonly blockRows = 4096,
  ) {}

  append(v: Float32Array): number {
    const row = this.rows;
    const b = Math.floor(row / this.blockRows);
    const within = row - b * this.blockRows;
    let block = this.blocks[b];
    if (!block) {
      block = new Float32Array(Math.min(this.blockRows, 64) * this.dims);
      this.blocks[b] = block;
    } else if ((within + 1) * this.dims > block.length) {
      const grown = new Float32Array(Math.min(this.blockRows, Math.max(64, Math.ceil((block.length / this.dims) * 1.5))) * this.dims);
      grown.set(block);
      block = grown;
      this.blocks[b] = block;
    }
    block.set(v, within * this.dims);
    this.rows++;
    return row;
  }

  /** A view of one row (for reading in JS; never hand it to usearch's exactSearch). */
  row(r: number): Float32Array {
    const b = Math.floor(r / this.blockRows);
    const o = (r - b * this.blockRows) * this.dims;
    return this.blocks[b]!.subarray(o, o + this.dims);
  }

  /**
   * Exact cosine neighbours among rows [from, to): for each block, the best `count` rows (or all
   * of its rows when fewer). `accept(row)` filters; returns matches sorted best first.
   */
  nearest(query: Float32Array, from: number, to: number, count: number, accept: (row: number) => boolean): RowMatch[] {
    const q = query.byteOffset === 0 && query.length === query.buffer.byteLength / 4 ? query : query.slice();
    const out: RowMatch[] = [];
    const first = Math.floor(from / this.blockRows);
    const last = Math.floor((to - 1) / this.blockRows);
    for (let b = first; b <= last && to > from; b++) {
      const base = b * this.blockRows;
      const end = Math.min(to, base + this.blockRows) - base; // rows of this block to scan
      const skip = Math.max(0, from - base); // leading rows outside the range
      const data = this.blocks[b]!.subarray(0, end * this.dims); // offset 0: safe for exactSearch
      const k = Math.min(end, count + skip);
      const r = exactSearch(data, q, this.dims, k, MetricKind.IP, end > 8192 ? 0 : 1) as { keys: BigUint64Array; distances: Float32Array };
      for (let i = 0; i < r.keys.length; i++) {
        const local = Number(r.keys[i]);
        if (local < skip) continue;
        const row = base + local;
        if (accept(row)) out.push({ row, similarity: 1 - r.distances[i]! });
      }
    }
    out.sort((a, b) => b.similarity - a.similarity);
    return out;
  }

  /** The used part of every block, in order (for snapshots). Captures the current blocks. */
  chunks(): Uint8Array[] {
    const out: Uint8Array[] = [];
    let left = this.rows;
    for (const block of this.blocks) {
      if (left <= 0) break;
      const n = Math.min(left, this.blockRows);
      out.push(new Uint8Array(block.buffer, block.byteOffset, n * this.dims * 4));
      left -= n;
    }
    return out;
  }

  /** Loads `rows` rows from raw little-endian float32 bytes. */
  static fromBytes(bytes: Uint8Array, dims: number, rows: number, blockRows = 4096): VectorMatrix {
    const m = new VectorMatrix(dims, blockRows);
    for (let start = 0; start < rows; start += blockRows) {
      const n = Math.min(blockRows, rows - start);
      const block = new Float32Array(Math.min(blockRows, Math.max(64, n)) * dims);
      new Uint8Array(block.buffer).set(bytes.subarray(start * dims * 4, (start + n) * dims * 4));
      m.blocks.push(block);
    }
    m.rows = rows;
    return m;
  }
}
