/**
 * Progress of a long CLI job on stderr: on a terminal, one line redrawn in place (a bar when the
 * total is known, counts and rate always); otherwise a plain line every few seconds, so logs of
 * a cron job stay readable. stdout is left to the command's output (an export may go there).
 */
export interface ProgressOptions {
  label: string;
  /** What is counted, e.g. "lines", "users". */
  unit: string;
  total?: number;
  stream?: NodeJS.WriteStream;
  /** Plain lines at most this often when not a terminal. */
  plainEveryMs?: number;
}

const BAR_WIDTH = 24;

export class Progress {
  private done = 0;
  private readonly started = performance.now();
  private lastDraw = 0;
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private note = '';

  constructor(private readonly o: ProgressOptions) {
    this.stream = o.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY);
  }

  /** Counts `n` more, with an optional note (e.g. the current user). */
  add(n: number, note = ''): void {
    this.done += n;
    this.note = note;
    const now = performance.now();
    if (now - this.lastDraw >= (this.tty ? 100 : (this.o.plainEveryMs ?? 5000))) {
      this.lastDraw = now;
      this.draw(false);
    }
  }

  /** The final line. */
  finish(summary = ''): void {
    this.draw(true, summary);
  }

  private draw(final: boolean, summary = ''): void {
    const secs = (performance.now() - this.started) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    const total = this.o.total;
    const count = total !== undefined ? `${this.done}/${total} ${this.o.unit}` : `${this.done} ${this.o.unit}`;
    const bar = total !== undefined && total > 0 && this.tty ? `[${'#'.repeat(Math.round((BAR_WIDTH * Math.min(this.done, total)) / total)).padEnd(BAR_WIDTH, '.')}] ` : '';
    const eta = total !== undefined && rate > 0 && !final ? `  eta ${Math.ceil((total - this.done) / rate)}s` : '';
    const text = `${this.o.label}: ${bar}${count}  ${rate.toFixed(1)}/s${eta}${final ? `  in ${secs.toFixed(1)}s` : ''}${summary ? `  ${summary}` : this.note ? `  ${this.note}` : ''}`;
    if (this.tty) this.stream.write(`\r\u001b[2K${text}${final ? '\n' : ''}`);
    else this.stream.write(`${text}\n`);
  }
}
