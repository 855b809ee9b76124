import { isMap, isPair, isScalar, isSeq, Scalar, type Document, type LineCounter } from 'yaml';
import type { ConfigProblem } from './config-error.js';
import { formatPath, type FieldPath } from './yaml-locate.js';

/**
 * `$${` is a literal `${`; `${NAME}` is required; `${NAME:-default}` falls back when NAME is unset or
 * empty, `${NAME-default}` only when unset (shell semantics). Anything else after `${` is an error.
 */
const TOKEN = /\$\$\{|\$\{([^}]*)\}?/g;
const EXPR = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)(.*))?$/s;

type Env = Record<string, string | undefined>;

/** Substitutes variables in one string. Returns the result, or a message describing the first bad expression. */
export function interpolateString(text: string, env: Env): { value: string } | { error: string } {
  let error: string | undefined;
  const value = text.replace(TOKEN, (match, body: string | undefined) => {
    if (match === '$${') return '${';
    if (!match.endsWith('}')) {
      error ??= `unterminated "\${" in "${text}"`;
      return match;
    }
    const m = EXPR.exec(body ?? '');
    if (!m) {
      error ??= `invalid variable reference "${match}" (use \${NAME} or \${NAME:-default})`;
      return match;
    }
    const [, name, op, fallback] = m;
    const v = env[name];
    if (op === ':-' && (v === undefined || v === '')) return fallback;
    if (op === '-' && v === undefined) return fallback;
    if (v === undefined) {
      error ??= `environment variable ${name} is not set (give a default with \${${name}:-value})`;
      return match;
    }
    return v;
  });
  return error === undefined ? { value } : { error };
}

/**
 * A plain (unquoted) scalar that was only a variable reference takes the type YAML would give the
 * substituted text, so `port: ${PORT}` is a number. Quoted scalars stay strings.
 */
function retype(original: string, value: string, node: Scalar): unknown {
  if (node.type !== Scalar.PLAIN || !/^\$\{[^}]*\}$/.test(original)) return value;
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

/**
 * Interpolates `${...}` in every scalar value of a parsed document, in place (keys are left alone).
 * Works on the document so that node ranges, and therefore line numbers, stay intact.
 */
export function interpolateDocument(doc: Document, lc: LineCounter, env: Env): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const walk = (node: unknown, path: FieldPath): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isPair(pair) && isScalar(pair.key)) walk(pair.value, [...path, String(pair.key.value)]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('${')) {
      const original = node.value;
      const r = interpolateString(original, env);
      if ('error' in r) {
        const offset = node.range?.[0];
        problems.push({ path: formatPath(path), line: offset === undefined ? undefined : lc.linePos(offset).line, message: r.error });
      } else {
        node.value = retype(original, r.value, node);
      }
    }
  };
  walk(doc.contents, []);
  return problems;
}
