import type { Labels } from '../domain/events.js';

/** One label set held: the exact bytes of its `"metric"` object, and the one that followed it last time. */
export interface HeldLabels {
  raw: Buffer;
  labels: Labels;
  next?: HeldLabels;
}

/**
 * Label sets already parsed, by the exact bytes of their `"metric"` object. Why: a series comes
 * back every tick with the same labels; looking its bytes up costs a fraction of parsing them
 * again, and the same object comes back each time (the window cache keys its rows by it).
 *
 * It also remembers the order the last answer listed them in (`guess`): answers list their
 * series in the same order every time, so the label set after the last one read is compared with
 * the bytes first (one memcmp); only when that fails is the text made and looked up. A guess is
 * only ever taken when its bytes are exactly those of the answer, so the result is the same
 * object the lookup gives.
 */
export class LabelIntern {
  private readonly byText = new Map<string, HeldLabels>();
  private head?: HeldLabels;
  private last?: HeldLabels;

  /** Label sets held. */
  get size(): number {
    return this.byText.size;
  }

  /** Forget every label set (the next answer parses its labels again). */
  clear(): void {
    this.byText.clear();
    this.head = undefined;
    this.last = undefined;
  }

  /** A new answer begins: the first guess is the first series of the answer before. */
  restart(): void {
    this.last = undefined;
  }

  /** The label set most likely to come next (the one that followed the last one read, last time). */
  guess(): HeldLabels | undefined {
    return this.last ? this.last.next : this.head;
  }

  /** The label set whose `"metric"` object is `b[start, end)`: the one held for those bytes, else JSON.parse's, held from now on. */
  lookup(b: Buffer, start: number, end: number): HeldLabels {
    // latin1: one character per byte, a cheap exact key for the bytes.
    const text = b.toString('latin1', start, end);
    let held = this.byText.get(text);
    if (!held) {
      // A copy of the bytes: `b` is a chunk of the answer that the reader reuses.
      held = { raw: Buffer.from(b.subarray(start, end)), labels: JSON.parse(b.toString('utf8', start, end)) as Labels };
      this.byText.set(text, held);
    }
    return held;
  }

  /** `held` was the series just read (whole): remember the order. */
  advance(held: HeldLabels): void {
    if (this.last) this.last.next = held;
    else this.head = held;
    this.last = held;
  }
}
