import { ReleasebotError } from '../domain/errors.js';

/**
 * Epoch values below this are seconds, at or above it milliseconds. 1e11 s is the year 5138 and
 * 1e11 ms is March 1973, so every time this tool can be asked about falls clearly on one side.
 */
const SECONDS_BELOW = 1e11;
/** Earliest time accepted: a value before it almost surely means a unit mix-up (it would read as 1970). */
export const EARLIEST_AT = Date.UTC(2000, 0, 1);

/** ISO-8601 date, or date and time with a zone (Z or +hh:mm); fractions of a second allowed. */
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const EPOCH = /^\d+(?:\.\d+)?$/;

/**
 * Parses a time given on the command line (`evaluate --at`): an ISO-8601 time with a zone
 * (2026-01-02T14:00:00Z), epoch seconds (Prometheus' convention, fractions allowed) or epoch
 * milliseconds (13 digits). Returns epoch ms. A value meaning a time before 2000 is an error, not
 * an empty answer: it is a unit mix-up (seconds read as ms) and there is no data there.
 */
export function parseAt(text: string, option = '--at'): number {
  const s = text.trim();
  const help = 'use an ISO-8601 time with a zone (2026-01-02T14:00:00Z), epoch seconds (1767362400) or epoch milliseconds (1767362400000)';
  let t: number;
  if (EPOCH.test(s)) {
    const n = Number(s);
    t = n < SECONDS_BELOW ? Math.round(n * 1000) : Math.round(n);
  } else if (ISO.test(s)) {
    // Why require a zone: without one JavaScript reads a date-time in the machine's local zone,
    // and the same command would mean different moments on different machines.
    if (/[T ]\d{2}:\d{2}/.test(s) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(s)) throw new ReleasebotError('BAD_REQUEST', `${option} "${text}": add a zone (Z or +hh:mm); ${help}`);
    t = Date.parse(s.replace(' ', 'T'));
  } else {
    throw new ReleasebotError('BAD_REQUEST', `${option} "${text}": ${help}`);
  }
  if (!Number.isFinite(t)) throw new ReleasebotError('BAD_REQUEST', `${option} "${text}": not a valid time; ${help}`);
  if (t < EARLIEST_AT) {
    throw new ReleasebotError('BAD_REQUEST', `${option} "${text}" means ${new Date(t).toISOString()}, before 2000: probably a unit mix-up; ${help}`);
  }
  return t;
}
