/** Calendar periods of temporal summaries, in UTC: day `2026-11-30`, ISO week `2026-W48`, month `2026-11`. */
import { InvalidArgumentError } from '../errors.js';

export type PeriodKind = 'day' | 'week' | 'month';
export const PERIOD_KINDS: readonly PeriodKind[] = ['day', 'week', 'month'];

const DAY = 86_400_000;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function monthKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
}

/** Monday 00:00 UTC of ISO week 1 of `year` (the week with the year's first Thursday). */
function week1Monday(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  return jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY;
}

export function weekKey(ms: number): string {
  const d = new Date(ms);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const monday = midnight - ((d.getUTCDay() + 6) % 7) * DAY;
  const year = new Date(monday + 3 * DAY).getUTCFullYear(); // the year of the week's Thursday
  const week = Math.round((monday - week1Monday(year)) / (7 * DAY)) + 1;
  return `${year}-W${pad(week)}`;
}

export function periodKey(kind: PeriodKind, ms: number): string {
  return kind === 'day' ? dayKey(ms) : kind === 'week' ? weekKey(ms) : monthKey(ms);
}

/** [start, end) of a period key in epoch ms; INVALID_ARGUMENT naming `field` when malformed. */
export function periodRange(kind: PeriodKind, key: string, field = 'key'): [number, number] {
  let m: RegExpExecArray | null;
  if (kind === 'day' && (m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key))) {
    const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    if (dayKey(start) === key) return [start, start + DAY];
  } else if (kind === 'week' && (m = /^(\d{4})-W(\d{2})$/.exec(key))) {
    const start = week1Monday(Number(m[1])) + (Number(m[2]) - 1) * 7 * DAY;
    if (Number(m[2]) >= 1 && weekKey(start) === key) return [start, start + 7 * DAY];
  } else if (kind === 'month' && (m = /^(\d{4})-(\d{2})$/.exec(key))) {
    const month = Number(m[2]);
    if (month >= 1 && month <= 12) return [Date.UTC(Number(m[1]), month - 1, 1), Date.UTC(Number(m[1]), month, 1)];
  }
  const shape = kind === 'day' ? 'YYYY-MM-DD' : kind === 'week' ? 'YYYY-Www (ISO week)' : 'YYYY-MM';
  throw new InvalidArgumentError(field, `"${key}" is not a ${kind} (${shape}, UTC)`);
}
