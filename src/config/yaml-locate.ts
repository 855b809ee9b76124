import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/** A field path as zod reports it. */
export type FieldPath = readonly (string | number)[];

/** Renders a field path as `a.b[2].c`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

function startLine(node: { range?: [number, number, number] | null } | null | undefined, lc: LineCounter): number | undefined {
  const offset = node?.range?.[0];
  return offset === undefined ? undefined : lc.linePos(offset).line;
}

/**
 * The line of the YAML node at `path`. A field that does not exist (a missing required key)
 * maps to the line of its nearest existing ancestor: the key that opens that ancestor, or the
 * start of the sequence item, so the reader lands where the field should be added.
 */
export function lineOf(doc: Document, lc: LineCounter, path: FieldPath): number | undefined {
  let node: unknown = doc.contents;
  // Line of the deepest thing found so far: a map key (for map fields) or the item itself (for list items).
  let line = startLine(doc.contents as Node | null, lc) ?? 1;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return line;
      line = startLine(pair.key as Node, lc) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      node = node.items[seg];
      line = startLine(node as Node, lc) ?? line;
    } else {
      return line;
    }
  }
  return line;
}
