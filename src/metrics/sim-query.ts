import { ReleasebotError } from '../domain/errors.js';

/**
 * The query language the simulated source answers: a small, strict subset of PromQL.
 *
 *   expr     := agg | rate | selector
 *   agg      := ("sum" | "avg" | "min" | "max" | "count") [ "by" "(" label {"," label} ")" ] "(" expr ")"
 *   rate     := ("rate" | "irate") "(" selector "[" duration "]" ")"
 *   selector := metric [ "{" [ matcher {"," matcher} [","] ] "}" ]
 *   matcher  := label ("=" | "!=" | "=~" | "!~") "\"string\""
 *
 * `rate`/`irate` return their input unchanged (the simulated metrics are already per-second
 * rates) and drop `__name__`, as PromQL does. Regex matchers are anchored, as in PromQL.
 * Anything else (binary operators, `without`, offsets, other functions) is rejected with
 * QUERY_FAILED naming the query, never silently misread.
 */
export type SimExpr =
  | { kind: 'selector'; metric: string; matchers: Matcher[] }
  | { kind: 'rate'; inner: SimExpr }
  | { kind: 'agg'; op: AggOp; by: string[] | null; inner: SimExpr };

export type AggOp = 'sum' | 'avg' | 'min' | 'max' | 'count';
export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
  regex?: RegExp;
}

const TOKEN = /\s*(?:([A-Za-z_:][A-Za-z0-9_:]*)|("(?:[^"\\]|\\.)*")|(=~|!~|!=|=|\(|\)|\{|\}|\[|\]|,)|(\d+(?:ms|s|m|h|d|w|y)))/y;

/** Parses `query`; throws QUERY_FAILED naming the query and the position when it is not in the subset. */
export function parseSimQuery(query: string): SimExpr {
  const tokens = tokenize(query);
  let pos = 0;
  const fail = (what: string): never => {
    throw new ReleasebotError('QUERY_FAILED', `simulated source cannot parse query ${JSON.stringify(query)}: ${what}`, { query });
  };
  const peek = (): string | undefined => tokens[pos];
  const take = (expected?: string): string => {
    const t = tokens[pos];
    if (t === undefined) return fail(`unexpected end, expected ${expected ?? 'more'}`);
    if (expected !== undefined && t !== expected) return fail(`expected "${expected}" but found "${t}"`);
    pos++;
    return t;
  };
  const ident = (): string => {
    const t = take();
    if (!/^[A-Za-z_:][A-Za-z0-9_:]*$/.test(t)) fail(`expected a name but found "${t}"`);
    return t;
  };
  const labelList = (): string[] => {
    take('(');
    const labels: string[] = [];
    while (peek() !== ')') {
      labels.push(ident());
      if (peek() === ',') take(',');
    }
    take(')');
    return labels;
  };
  const selector = (metric: string): SimExpr => {
    const matchers: Matcher[] = [];
    if (peek() === '{') {
      take('{');
      while (peek() !== '}') {
        const label = ident();
        const op = take();
        if (op !== '=' && op !== '!=' && op !== '=~' && op !== '!~') fail(`expected a matcher operator after "${label}" but found "${op}"`);
        const raw = take();
        if (!raw.startsWith('"')) fail(`expected a quoted value for label "${label}"`);
        const value = JSON.parse(raw) as string;
        const m: Matcher = { label, op: op as Matcher['op'], value };
        if (op === '=~' || op === '!~') {
          try {
            m.regex = new RegExp(`^(?:${value})$`);
          } catch {
            fail(`invalid regular expression "${value}"`);
          }
        }
        matchers.push(m);
        if (peek() === ',') take(',');
        else if (peek() !== '}') fail(`expected "," or "}" but found "${peek() ?? 'end'}"`);
      }
      take('}');
    }
    return { kind: 'selector', metric, matchers };
  };
  const expr = (): SimExpr => {
    const name = ident();
    if (name === 'rate' || name === 'irate') {
      take('(');
      const inner = selector(ident());
      take('[');
      const d = take();
      if (!/^\d+(ms|s|m|h|d|w|y)$/.test(d)) fail(`expected a range duration but found "${d}"`);
      take(']');
      take(')');
      return { kind: 'rate', inner };
    }
    if (['sum', 'avg', 'min', 'max', 'count'].includes(name) && (peek() === '(' || peek() === 'by')) {
      const by = peek() === 'by' ? (take('by'), labelList()) : null;
      take('(');
      const inner = expr();
      take(')');
      return { kind: 'agg', op: name as AggOp, by, inner };
    }
    if (peek() === '(') fail(`function or aggregation "${name}" is not supported by the simulated source`);
    return selector(name);
  };
  const result = expr();
  if (pos < tokens.length) fail(`unexpected "${tokens[pos]}" (only selectors, rate() and sum/avg/min/max/count by (...) are supported)`);
  return result;

  function tokenize(q: string): string[] {
    const out: string[] = [];
    TOKEN.lastIndex = 0;
    let i = 0;
    while (i < q.length) {
      if (/^\s*$/.test(q.slice(i))) break;
      TOKEN.lastIndex = i;
      const m = TOKEN.exec(q);
      if (!m) {
        throw new ReleasebotError('QUERY_FAILED', `simulated source cannot parse query ${JSON.stringify(q)}: unexpected character at ${i}: "${q.slice(i, i + 10).trim()}"`, { query: q });
      }
      out.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
      i = TOKEN.lastIndex;
    }
    return out;
  }
}

/** True when `labels` satisfy every matcher (a missing label counts as the empty string, as in PromQL). */
export function matches(labels: Record<string, string>, matchers: Matcher[]): boolean {
  return matchers.every((m) => {
    const v = labels[m.label] ?? '';
    switch (m.op) {
      case '=':
        return v === m.value;
      case '!=':
        return v !== m.value;
      case '=~':
        return m.regex!.test(v);
      case '!~':
        return !m.regex!.test(v);
    }
  });
}
