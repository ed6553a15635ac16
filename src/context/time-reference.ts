/**
 * Time references in a query ("yesterday", "last week", "two days ago", "in May", "on 7 May
 * 2023", "last Friday") → the window of time they name, relative to a reference time, in UTC.
 * English only; the first reference found wins (the most specific patterns are tried first).
 * Pure and deterministic: the same text and reference time give the same window.
 */
export interface TimeWindow {
  fromMs: number;
  /** Exclusive. */
  toMs: number;
  /** How the window reads in the context heading, e.g. "2023-05-01 – 2023-05-31". */
  label: string;
}

const DAY = 86_400_000;
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH_RE = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const NUMBER_WORDS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12, couple: 2, few: 3 };
const COUNT_RE = '(\\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a couple of|a few)';

const startOfDay = (ms: number) => Math.floor(ms / DAY) * DAY;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const monthIndex = (word: string) => MONTHS.findIndex((m) => m.startsWith(word.slice(0, 3)));
const countOf = (word: string) => (/^\d+$/.test(word) ? Number(word) : (NUMBER_WORDS[word.replace(/^a (couple of|few)$/, '$1')] ?? 1));

function window(fromMs: number, toMs: number): TimeWindow {
  const last = toMs - 1;
  return { fromMs, toMs, label: iso(fromMs) === iso(last) ? iso(fromMs) : `${iso(fromMs)} – ${iso(last)}` };
}

const dayWindow = (dayStart: number) => window(dayStart, dayStart + DAY);

function monthWindow(year: number, month: number): TimeWindow {
  return window(Date.UTC(year, month, 1), Date.UTC(year, month + 1, 1));
}

/** Monday-based calendar week containing `ms`. */
function weekStart(ms: number): number {
  const d = startOfDay(ms);
  const dow = (new Date(d).getUTCDay() + 6) % 7;
  return d - dow * DAY;
}

type Rule = [RegExp, (m: RegExpExecArray, now: number) => TimeWindow | undefined];

const RULES: Rule[] = [
  // ISO date
  [/\b(\d{4})-(\d{2})-(\d{2})\b/, (m) => validDay(Number(m[1]), Number(m[2]) - 1, Number(m[3]))],
  // "7 May 2023", "May 7th, 2023", "May 7"
  [new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?(?: of)? ${MONTH_RE},?(?: (\\d{4}))?\\b`), (m, now) => dayInMonth(now, Number(m[1]), m[2]!, m[3])],
  [new RegExp(`\\b${MONTH_RE} (\\d{1,2})(?:st|nd|rd|th)?\\b(?:,? (\\d{4}))?`), (m, now) => dayInMonth(now, Number(m[2]), m[1]!, m[3])],
  [/\b(today|tonight|this morning|this afternoon|this evening)\b/, (_m, now) => window(startOfDay(now), now + 1)],
  [/\byesterday\b/, (_m, now) => dayWindow(startOfDay(now) - DAY)],
  [/\b(?:the )?day before yesterday\b/, (_m, now) => dayWindow(startOfDay(now) - 2 * DAY)],
  [new RegExp(`\\b${COUNT_RE} (day|week|month|year)s? ago\\b`), (m, now) => ago(now, countOf(m[1]!), m[2]!)],
  [new RegExp(`\\b(?:last|past|previous|recent) ${COUNT_RE} (day|week|month|year)s?\\b`), (m, now) => span(now, countOf(m[1]!), m[2]!)],
  [/\blast weekend\b/, (_m, now) => lastWeekend(now)],
  [/\b(last|this|past) (week|month|year)\b/, (m, now) => calendar(now, m[1]!, m[2]!)],
  [/\b(?:last|on|this past) (sunday|monday|tuesday|wednesday|thursday|friday|saturday)\b/, (m, now) => lastWeekday(now, m[1]!)],
  // "in May", "in May 2023", "May 2023", "early June": a month needs a preposition or a year ("may" is also a verb)
  [new RegExp(`\\b(?:in|during|since|of|early|late|mid|last|this|by|before|after|from|through) ${MONTH_RE}(?: (\\d{4}))?\\b`), (m, now) => namedMonth(now, m[1]!, m[2])],
  [new RegExp(`\\b${MONTH_RE} (\\d{4})\\b`), (m, now) => namedMonth(now, m[1]!, m[2])],
  [/\b(?:in|during|since|of) (\d{4})\b/, (m) => yearWindow(Number(m[1]))],
];

function validDay(y: number, month: number, day: number): TimeWindow | undefined {
  const ms = Date.UTC(y, month, day);
  const d = new Date(ms);
  if (month < 0 || month > 11 || d.getUTCDate() !== day || y < 1900 || y > 2200) return undefined;
  return dayWindow(ms);
}

function dayInMonth(now: number, day: number, monthWord: string, yearWord: string | undefined): TimeWindow | undefined {
  const month = monthIndex(monthWord);
  if (month < 0) return undefined;
  const thisYear = new Date(now).getUTCFullYear();
  if (yearWord) return validDay(Number(yearWord), month, day);
  // Without a year: the most recent such date not in the future.
  const candidate = Date.UTC(thisYear, month, day);
  return validDay(candidate > now ? thisYear - 1 : thisYear, month, day);
}

function namedMonth(now: number, monthWord: string, yearWord: string | undefined): TimeWindow | undefined {
  const month = monthIndex(monthWord);
  if (month < 0) return undefined;
  const d = new Date(now);
  if (yearWord) return Number(yearWord) >= 1900 && Number(yearWord) <= 2200 ? monthWindow(Number(yearWord), month) : undefined;
  return monthWindow(month > d.getUTCMonth() ? d.getUTCFullYear() - 1 : d.getUTCFullYear(), month);
}

function yearWindow(y: number): TimeWindow | undefined {
  return y >= 1900 && y <= 2200 ? window(Date.UTC(y, 0, 1), Date.UTC(y + 1, 0, 1)) : undefined;
}

/** "N units ago": the day, or a window of one unit centred on that point. */
function ago(now: number, n: number, unit: string): TimeWindow | undefined {
  if (n < 1 || n > 500) return undefined;
  if (unit === 'day') return dayWindow(startOfDay(now) - n * DAY);
  const d = new Date(now);
  if (unit === 'week') {
    const centre = startOfDay(now) - n * 7 * DAY;
    return window(centre - 3 * DAY, centre + 4 * DAY);
  }
  if (unit === 'month') return monthWindow(d.getUTCFullYear(), d.getUTCMonth() - n);
  return yearWindow(d.getUTCFullYear() - n);
}

/** "the last N units": from N units back until now. */
function span(now: number, n: number, unit: string): TimeWindow | undefined {
  if (n < 1 || n > 500) return undefined;
  const d = new Date(now);
  const from =
    unit === 'day'
      ? startOfDay(now) - (n - 1) * DAY
      : unit === 'week'
        ? startOfDay(now) - (7 * n - 1) * DAY
        : unit === 'month'
          ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - n, d.getUTCDate())
          : Date.UTC(d.getUTCFullYear() - n, d.getUTCMonth(), d.getUTCDate());
  return window(from, now + 1);
}

function calendar(now: number, which: string, unit: string): TimeWindow {
  const d = new Date(now);
  const back = which === 'last' ? 1 : 0;
  if (which === 'past') return span(now, 1, unit)!;
  if (unit === 'week') {
    const start = weekStart(now) - back * 7 * DAY;
    return window(start, back ? start + 7 * DAY : now + 1);
  }
  if (unit === 'month') return back ? monthWindow(d.getUTCFullYear(), d.getUTCMonth() - 1) : window(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), now + 1);
  return back ? yearWindow(d.getUTCFullYear() - 1)! : window(Date.UTC(d.getUTCFullYear(), 0, 1), now + 1);
}

function lastWeekday(now: number, name: string): TimeWindow {
  const target = WEEKDAYS.indexOf(name);
  const today = startOfDay(now);
  const back = (new Date(today).getUTCDay() - target + 7) % 7 || 7;
  return dayWindow(today - back * DAY);
}

function lastWeekend(now: number): TimeWindow {
  const today = startOfDay(now);
  const back = (new Date(today).getUTCDay() - 6 + 7) % 7 || 7;
  const saturday = today - back * DAY;
  return window(saturday, saturday + 2 * DAY);
}

/** The first time reference in `text` as a window, or undefined when it names none. */
export function findTimeWindow(text: string, nowMs: number): TimeWindow | undefined {
  const lower = text.toLowerCase();
  for (const [re, make] of RULES) {
    const m = re.exec(lower);
    if (!m) continue;
    const w = make(m, nowMs);
    if (w && w.toMs > w.fromMs) return w;
  }
  return undefined;
}
