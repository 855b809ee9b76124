import type { Labels } from '../domain/events.js';
import type { HeldLabels, LabelIntern } from './label-intern.js';

export { LabelIntern } from './label-intern.js';

/** One element of a matrix result read into typed arrays. */
export interface MatrixElement {
  metric: Labels;
  timestamps: Float64Array;
  values: Float64Array;
  /** Index just past the element's closing `}` in the buffer it was read from. */
  end: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const COMMA = 0x2c;
const DOT = 0x2e;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
/** Reusable point arrays: the result is a view of them, valid until the next call. */
export interface ElementScratch {
  ts: Float64Array;
  vs: Float64Array;
}

const PREFIX = Buffer.from('{"metric":');
const VALUES = Buffer.from(',"values":[');

/**
 * Reads `{"metric":{...},"values":[[t,"v"],...]}` (the layout Prometheus and VictoriaMetrics
 * write) starting at `b[from]`, without building a JSON object tree: the labels go through
 * JSON.parse, the points are read byte by byte straight into Float64Arrays (times as written, to
 * the millisecond; values with Number, which is what JSON.parse would give). Why: per-point
 * arrays and strings were ten times the cost of finding the element. Returns undefined for any
 * other layout (other key order, whitespace, exponents in times) and when `b` ends before the
 * element does; the caller then falls back to finding the element's end and JSON.parse.
 */
export function readMatrixElement(b: Buffer, scratch?: ElementScratch, from = 0, labels?: LabelIntern): MatrixElement | undefined {
  if (b.length < from + PREFIX.length + 2 || !bytesAt(b, from, PREFIX)) return undefined;
  const metricStart = from + PREFIX.length;
  let held: HeldLabels | undefined = labels?.guess();
  let metricEnd = held ? metricStart + held.raw.length : -1;
  // The series expected next (the answer before listed it here): its bytes compared, not parsed nor looked up.
  if (!held || metricEnd + VALUES.length > b.length || b.compare(held.raw, 0, held.raw.length, metricStart, metricEnd) !== 0 || !bytesAt(b, metricEnd, VALUES)) {
    metricEnd = metricObjectEnd(b, metricStart);
    if (metricEnd < 0 || metricEnd + VALUES.length > b.length || !bytesAt(b, metricEnd, VALUES)) return undefined;
    held = labels?.lookup(b, metricStart, metricEnd);
  }
  const metric = held ? held.labels : (JSON.parse(b.toString('utf8', metricStart, metricEnd)) as Labels);
  let p = metricEnd + VALUES.length;
  const need = Math.max(16, (b.length - p) >> 4);
  let ts: Float64Array = scratch && scratch.ts.length >= need ? scratch.ts : new Float64Array(need);
  let vs: Float64Array = scratch && scratch.vs.length >= need ? scratch.vs : new Float64Array(need);
  let cap = Math.min(ts.length, vs.length);
  let n = 0;
  if (b[p] === CLOSE_ARR) {
    if (b[p + 1] !== CLOSE_OBJ) return undefined;
    if (held) labels!.advance(held);
    return { metric, timestamps: ts.subarray(0, 0), values: vs.subarray(0, 0), end: p + 2 };
  }
  for (;;) {
    if (b[p++] !== OPEN_ARR) return undefined;
    // Time: digits with an optional fraction of at most 3 digits (seconds to the millisecond).
    let whole = 0;
    let digits = 0;
    while (b[p] >= ZERO && b[p] <= NINE) {
      whole = whole * 10 + (b[p++] - ZERO);
      digits++;
    }
    if (digits === 0 || digits > 15) return undefined;
    let ms = whole * 1000;
    if (b[p] === DOT) {
      p++;
      let scale = 100;
      while (b[p] >= ZERO && b[p] <= NINE) {
        if (scale < 1) return undefined;
        ms += (b[p++] - ZERO) * scale;
        scale /= 10;
      }
    }
    if (b[p++] !== COMMA || b[p++] !== QUOTE) return undefined;
    const start = p;
    // The usual value (-?digits[.digits]) is read as it is scanned; anything else goes to decimalAt.
    const negative = b[p] === MINUS;
    if (negative) p++;
    let mantissa = 0;
    let fraction = -1;
    for (;;) {
      const c = b[p];
      if (c >= ZERO && c <= NINE) mantissa = mantissa * 10 + (c - ZERO);
      else if (c === DOT && fraction < 0) fraction = p;
      else break;
      p++;
    }
    let value: number;
    if (b[p] === QUOTE && fastDecimal(mantissa, p - fraction - 1, fraction, start + (negative ? 1 : 0), p)) {
      const scale = fraction < 0 ? 0 : p - fraction - 1;
      const v = scale === 0 ? mantissa : mantissa / POW10[scale];
      value = negative ? -v : v;
    } else {
      while (p < b.length && b[p] !== QUOTE) p++;
      if (p >= b.length) return undefined;
      value = decimalAt(b, start, p);
    }
    p++;
    if (b[p++] !== CLOSE_ARR) return undefined;
    if (n === cap) {
      cap *= 2;
      ts = grow(ts, cap);
      vs = grow(vs, cap);
    }
    ts[n] = ms;
    vs[n] = value;
    n++;
    const next = b[p++];
    if (next === CLOSE_ARR) break;
    if (next !== COMMA) return undefined;
  }
  // The element must close right after its points (anything else: another layout, or the buffer ended).
  if (b[p++] !== CLOSE_OBJ) return undefined;
  if (scratch) {
    scratch.ts = ts;
    scratch.vs = vs;
  }
  // Only an element read whole counts for the order (one cut by the chunk's end is read again).
  if (held) labels!.advance(held);
  return { metric, timestamps: ts.subarray(0, n), values: vs.subarray(0, n), end: p };
}

const CLOSE_THEN_VALUES = Buffer.concat([Buffer.from('}'), VALUES]);

/**
 * Index just past the `}` closing the `"metric"` object that starts at `from`, or -1. Why the
 * native search first: looking for the first `}` is memchr, where the byte loop of
 * `flatObjectEnd` was a sixth of reading an answer. That `}` closes the object when `,"values":[`
 * follows it and no `{` comes before it: a string cannot hold those bytes (its `"` would be
 * escaped), and outside strings an object with no object inside has no other `}`. Otherwise (a
 * `}` inside a label value, a nested object) the object is scanned.
 */
function metricObjectEnd(b: Buffer, from: number): number {
  if (b[from] !== OPEN_OBJ) return -1;
  const close = b.indexOf(CLOSE_OBJ, from + 1);
  if (close >= 0 && bytesAt(b, close, CLOSE_THEN_VALUES)) {
    const open = b.indexOf(OPEN_OBJ, from + 1);
    if (open < 0 || open > close) return close + 1;
  }
  return flatObjectEnd(b, from);
}

/** Index just past the `}` closing the flat object that starts at `from`, or -1. */
function flatObjectEnd(b: Buffer, from: number): number {
  if (b[from] !== OPEN_OBJ) return -1;
  let inString = false;
  for (let i = from + 1; i < b.length; i++) {
    const c = b[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === CLOSE_OBJ) return i + 1;
    else if (c === OPEN_OBJ || c === OPEN_ARR) return -1;
  }
  return -1;
}

/** True when `b` holds the bytes of `want` at `at` (a plain loop: Buffer.compare's native call costs more for ten bytes). */
function bytesAt(b: Buffer, at: number, want: Buffer): boolean {
  for (let k = 0; k < want.length; k++) if (b[at + k] !== want[k]) return false;
  return true;
}

/** Exact powers of ten as doubles (10^22 is the last one a double holds exactly). */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The sample value written in `b[start, end)`, exactly as Number() reads it. Why not Number() of
 * a string each time: at 10,000 series a tick reads 60,000 values, and making a string of each
 * was the largest cost left in reading a point. Fast path for the usual `-?digits[.digits]` whose
 * digits form an integer of at most 2^53 - 1 (exact in a double; a larger one cannot round back
 * below 2^53, so it is caught) with at most 22 decimals (10^22 is exact):
 * one division then gives the correctly rounded double, the same one Number() gives (Clinger's
 * fast path). Anything else (exponents, NaN, Inf, 17 digits and more) goes through Number().
 */
export function decimalAt(b: Buffer, start: number, end: number): number {
  let p = start;
  const negative = b[p] === MINUS;
  if (negative) p++;
  let mantissa = 0;
  let fraction = -1;
  for (; p < end; p++) {
    const c = b[p];
    if (c >= ZERO && c <= NINE) mantissa = mantissa * 10 + (c - ZERO);
    else if (c === DOT && fraction < 0) fraction = p;
    else break;
  }
  const scale = fraction < 0 ? 0 : end - fraction - 1;
  if (p === end && fastDecimal(mantissa, scale, fraction, start + (negative ? 1 : 0), end)) {
    const v = scale === 0 ? mantissa : mantissa / POW10[scale];
    return negative ? -v : v;
  }
  return sampleValue(b.toString('latin1', start, end));
}

/**
 * True when the digits in [digits, end) (a `.` at `fraction`, or -1 for none) read as `mantissa`
 * give the exact double by one division (see `decimalAt`): the integer is exact, the power of ten
 * too, there is at least one digit and the dot is neither first nor last.
 */
function fastDecimal(mantissa: number, scale: number, fraction: number, digits: number, end: number): boolean {
  return mantissa <= Number.MAX_SAFE_INTEGER && (fraction < 0 || scale <= 22) && end > digits && fraction !== end - 1 && fraction !== digits;
}

function grow(a: Float64Array, cap: number): Float64Array {
  const out = new Float64Array(cap);
  out.set(a);
  return out;
}

/** A Prometheus sample value ("NaN", "+Inf", "-Inf" included); anything that is not a number is NaN, as Number gives. */
export function sampleValue(v: string): number {
  switch (v) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    default:
      return Number(v);
  }
}
