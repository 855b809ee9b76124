import type { Labels } from '../domain/events.js';
import { readMatrixElement, sampleValue, type ElementScratch, type LabelIntern } from './matrix-element.js';

export type { LabelIntern } from './matrix-element.js';

/**
 * Receives one series of a matrix result as soon as it has been read. The arrays may be reused
 * for the next series: copy what must outlive the call.
 */
export type MatrixSink = (labels: Labels, timestamps: Float64Array, values: Float64Array) => void;

/** The response without its result array (status, resultType, error, warnings), and what was streamed. */
export interface StreamedEnvelope {
  status?: string;
  errorType?: string;
  error?: string;
  resultType?: string;
  series: number;
  samples: number;
  bytes: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;

/**
 * An incremental reader of a Prometheus API answer (`{"status":..,"data":{"resultType":"matrix",
 * "result":[ {...}, ... ]}}`). Why: at 10,000 series the answer of one range query is hundreds of
 * megabytes; `res.text()` + `JSON.parse` holds the whole string, then the whole object tree, at
 * once. This reader scans bytes as they arrive, cuts out each element of `data.result` (one
 * series, a few tens of kilobytes) and hands it to the native `JSON.parse`, then to the sink as
 * typed arrays. Everything outside the result array (the small envelope) is kept as text and
 * parsed at the end. Memory is one chunk plus one series, whatever the answer's size.
 *
 * Only structure is tracked here (depth, strings, escapes); JSON syntax is checked by `JSON.parse`
 * on each element and on the envelope, so a malformed answer throws a SyntaxError.
 */
export class MatrixStreamParser {
  private depth = 0;
  private inString = false;
  private escape = false;
  /** Text of the last string closed at depth 1 and 2 (keys and short values of the envelope). */
  private readonly lastString: string[] = ['', '', ''];
  private stringStart = -1;
  private stringParts: Uint8Array[] = [];
  private inData = false;
  private inResult = false;
  private resultType?: string;
  /** Bytes of an element that spans chunks, gathered in one reused buffer (no allocation per element). */
  private carry: Buffer = Buffer.allocUnsafe(1 << 16);
  private carryLen = 0;
  private readonly scratch: ElementScratch = { ts: new Float64Array(1024), vs: new Float64Array(1024) };
  private elementStart = -1;
  private envelope: string[] = [];
  private series = 0;
  private samples = 0;
  private bytes = 0;

  /** `labels`: label sets parsed by earlier answers, reused (and added to) by this one. */
  constructor(
    private readonly sink: MatrixSink,
    private readonly labels?: LabelIntern,
  ) {
    labels?.restart();
  }

  /** Feeds the next chunk of the body. Throws a SyntaxError naming the series when an element is malformed. */
  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let envStart = this.inResult ? -1 : 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === BACKSLASH) this.escape = true;
        else if (c === QUOTE) this.closeString(chunk, i);
        continue;
      }
      if (c === OPEN_OBJ && this.inResult && this.depth === 3 && this.resultType === 'matrix') {
        // Why: an element wholly inside this chunk is read in one pass where it lies, instead of
        // being scanned for its end first and read again; one that spans chunks (or has another
        // layout) takes the scanning path below.
        const fast = readMatrixElement(buf, this.scratch, i, this.labels);
        if (fast) {
          this.series++;
          this.samples += fast.values.length;
          this.sink(fast.metric, fast.timestamps, fast.values);
          i = fast.end - 1;
          continue;
        }
      }
      if (c === QUOTE) {
        this.inString = true;
        if (this.depth <= 2) this.stringStart = i + 1;
      } else if (c === OPEN_OBJ || c === OPEN_ARR) {
        if (this.inResult && this.depth === 3 && c === OPEN_OBJ) this.elementStart = i;
        this.depth++;
        if (this.depth === 2 && c === OPEN_OBJ) this.inData = this.lastString[1] === 'data';
        if (this.depth === 3 && c === OPEN_ARR && this.inData && this.lastString[2] === 'result') {
          // Entering data.result: stream its elements, keep only "[]" in the envelope.
          this.inResult = true;
          this.envelope.push(decode(chunk, envStart, i + 1));
          envStart = -1;
        }
      } else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        this.depth--;
        if (this.inResult && this.depth === 3 && c === CLOSE_OBJ) this.closeElement(chunk, i + 1);
        else if (this.inResult && this.depth === 2) {
          this.inResult = false;
          envStart = i;
        }
      }
    }
    if (envStart >= 0) this.envelope.push(decode(chunk, envStart, chunk.length));
    this.carryOver(chunk);
  }

  /** After the last chunk: the envelope's fields and counts. Throws a SyntaxError when the answer is not JSON. */
  end(): StreamedEnvelope {
    if (this.depth !== 0 || this.inString) throw new SyntaxError('the answer ended in the middle of a JSON value');
    const env = JSON.parse(this.envelope.join('')) as { status?: string; errorType?: string; error?: string; data?: { resultType?: string } };
    if (!env || typeof env !== 'object') throw new SyntaxError('the answer is not a JSON object');
    return { status: env.status, errorType: env.errorType, error: env.error, resultType: env.data?.resultType ?? this.resultType, series: this.series, samples: this.samples, bytes: this.bytes };
  }

  private closeString(chunk: Uint8Array, i: number): void {
    this.inString = false;
    if (this.depth > 2 || this.stringStart < 0) return;
    const tail = chunk.subarray(this.stringStart, i);
    const text = this.stringParts.length > 0 ? Buffer.concat([...this.stringParts, tail]).toString('utf8') : decode(chunk, this.stringStart, i);
    // Why the raw text is enough: envelope keys and the resultType never contain escapes.
    if (this.depth === 2 && this.lastString[2] === 'resultType') this.resultType = text;
    this.lastString[this.depth] = text;
    this.stringParts = [];
    this.stringStart = -1;
  }

  private closeElement(chunk: Uint8Array, endExclusive: number): void {
    const tail = chunk.subarray(Math.max(this.elementStart, 0), endExclusive);
    let bytes: Buffer;
    if (this.carryLen > 0) {
      this.append(tail);
      bytes = this.carry.subarray(0, this.carryLen);
      this.carryLen = 0;
    } else bytes = Buffer.from(tail.buffer, tail.byteOffset, tail.length);
    this.elementStart = -1;
    if (this.resultType !== undefined && this.resultType !== 'matrix') return;
    const fast = readMatrixElement(bytes, this.scratch, 0, this.labels);
    if (fast) {
      this.series++;
      this.samples += fast.values.length;
      this.sink(fast.metric, fast.timestamps, fast.values);
    } else this.emit(bytes.toString('utf8'));
  }

  /** The general path (any key order or spacing): JSON.parse of the element. */
  private emit(text: string): void {
    const e = JSON.parse(text) as { metric?: Labels; values?: [number, string][] };
    if (!e || typeof e !== 'object' || !e.metric || typeof e.metric !== 'object') throw new SyntaxError(`result element ${this.series} has no "metric" object`);
    const raw = e.values ?? [];
    if (!Array.isArray(raw)) throw new SyntaxError(`result element ${this.series} (${JSON.stringify(e.metric)}): "values" is not an array`);
    const ts = new Float64Array(raw.length);
    const vs = new Float64Array(raw.length);
    for (let k = 0; k < raw.length; k++) {
      const p = raw[k];
      if (!Array.isArray(p) || typeof p[0] !== 'number' || typeof p[1] !== 'string') {
        throw new SyntaxError(`result element ${this.series} (${JSON.stringify(e.metric)}): point ${k} is not [time, "value"]`);
      }
      ts[k] = Math.round(p[0] * 1000);
      vs[k] = parseValue(p[1]);
    }
    this.series++;
    this.samples += raw.length;
    this.sink(e.metric, ts, vs);
  }

  private append(bytes: Uint8Array): void {
    if (this.carryLen + bytes.length > this.carry.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.carry.length * 2, this.carryLen + bytes.length));
      this.carry.copy(bigger, 0, 0, this.carryLen);
      this.carry = bigger;
    }
    this.carry.set(bytes, this.carryLen);
    this.carryLen += bytes.length;
  }

  /** Keeps the unfinished string or element of this chunk for the next one (the chunk buffer may be reused). */
  private carryOver(chunk: Uint8Array): void {
    if (this.inResult && this.elementStart >= 0) {
      this.append(chunk.subarray(this.elementStart));
      this.elementStart = 0;
    }
    if (this.inString && this.stringStart >= 0) {
      this.stringParts.push(chunk.slice(this.stringStart));
      this.stringStart = 0;
    }
  }
}

function decode(chunk: Uint8Array, from: number, to: number): string {
  return Buffer.from(chunk.buffer, chunk.byteOffset + from, to - from).toString('utf8');
}

/** Parses a Prometheus sample value, including "NaN", "+Inf" and "-Inf". */
export const parseValue = sampleValue;
