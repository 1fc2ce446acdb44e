import { OptionsError } from './optionsError';

/**
 * `--tags-updated-since`: an ISO 8601 date or date-time, or `Nd` (N whole days before the run
 * starts). A date alone is midnight UTC; a date-time without an offset is read as UTC too, so
 * the same pipeline means the same instant on every agent, whatever its time zone. A calendar
 * date that does not exist (2026-02-30) is bad input, where Date.parse would roll it over.
 */
const DAYS = /^(\d{1,5})d$/i;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
/** A century: further back than any registry, and far from Date's range limits. */
export const MAX_SINCE_DAYS = 36_500;
const DAY_MS = 86_400_000;

function invalid(text: string): OptionsError {
  return new OptionsError(
    'SinceInvalid',
    [text, String(MAX_SINCE_DAYS)],
    `tags updated since "${text}" is not valid: give an ISO date such as 2026-01-31 (or 2026-01-31T08:00Z), or a number of days such as 30d (1 to ${MAX_SINCE_DAYS})`,
  );
}

export function parseUpdatedSince(text: string, now: number): { text: string; time: number } {
  const days = DAYS.exec(text);
  if (days !== null) {
    const n = Number(days[1]);
    if (n < 1 || n > MAX_SINCE_DAYS) throw invalid(text);
    return { text, time: now - n * DAY_MS };
  }
  const iso = ISO.exec(text);
  if (iso === null) throw invalid(text);
  const [year, month, day, hour, minute, second] = iso.slice(1, 7).map((part) => Number(part ?? 0));
  const fraction = Number(`0.${iso[7] ?? '0'}`);
  const utc = Date.UTC(year, month - 1, day, hour, minute, second) + Math.floor(fraction * 1000);
  const back = new Date(utc);
  const exists = back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 && back.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
  if (!exists) throw invalid(text);
  const zone = iso[8];
  if (zone === undefined || zone.toUpperCase() === 'Z') return { text, time: utc };
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  if (Number(digits.slice(0, 2)) > 23 || Number(digits.slice(2)) > 59) throw invalid(text);
  return { text, time: utc - sign * offsetMinutes * 60_000 };
}
