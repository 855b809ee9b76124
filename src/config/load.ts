import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { ZodIssue } from 'zod';
import { configSchema, duplicateNameIssues, type Config } from './schema.js';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { interpolateDocument } from './interpolate.js';
import { formatPath, lineOf } from './yaml-locate.js';

export { ConfigError, formatProblem, type ConfigProblem } from './config-error.js';
export { defaultDemoConfig } from './demo-config.js';

type Env = Record<string, string | undefined>;

/**
 * Turns zod issues into readable, located problems. Unknown keys become one problem per key (at the
 * key's line); a union whose branches all failed on type becomes one "expected A or B" message, and
 * otherwise reports the branch that came closest (fewest issues).
 */
function flattenIssues(issues: ZodIssue[]): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...issue.path, key], message: `unknown field "${key}"` });
    } else if (issue.code === 'invalid_union') {
      const branches = issue.unionErrors.map((e) => e.issues);
      const allType = branches.every((b) => b.length === 1 && b[0].code === 'invalid_type' && b[0].path.join('.') === issue.path.join('.'));
      if (allType) {
        const expected = [...new Set(branches.map((b) => (b[0] as { expected: string }).expected))].join(' or ');
        out.push({ path: issue.path, message: `expected ${expected}, received ${(branches[0][0] as { received: string }).received}` });
      } else {
        const closest = branches.reduce((a, b) => (b.length < a.length ? b : a));
        out.push(...flattenIssues(closest));
      }
    } else if (issue.code === 'invalid_type' && issue.received === 'undefined') {
      out.push({ path: issue.path, message: `required field is missing (expected ${issue.expected})` });
    } else {
      out.push({ path: issue.path, message: issue.message });
    }
  }
  return out;
}

/**
 * Duplicate stage and check names, found on the raw input: zod skips a list's refinements when an
 * item is invalid, and "every problem" should include the duplicates anyway.
 */
function rawDuplicates(value: unknown): { path: (string | number)[]; message: string }[] {
  const v = value as { pipeline?: { stages?: unknown }; checks?: unknown } | null;
  const out: { path: (string | number)[]; message: string }[] = [];
  const stages = v?.pipeline?.stages;
  if (Array.isArray(stages)) out.push(...duplicateNameIssues(stages, 'stage').map((i) => ({ ...i, path: ['pipeline', 'stages', ...i.path] })));
  if (Array.isArray(v?.checks)) out.push(...duplicateNameIssues(v.checks, 'check').map((i) => ({ ...i, path: ['checks', ...i.path] })));
  return out;
}

function yamlProblems(doc: Document, lc: LineCounter): ConfigProblem[] {
  return doc.errors.map((e) => ({
    path: '',
    line: e.linePos?.[0]?.line ?? (e.pos?.[0] !== undefined ? lc.linePos(e.pos[0]).line : undefined),
    message: `YAML syntax: ${e.message.split('\n')[0]}`,
  }));
}

/**
 * Parses and validates configuration text. `sourceName` names the text in messages (usually the
 * file path). Throws ConfigError listing every problem: YAML syntax, unset environment variables,
 * schema violations, each with its field path and line.
 */
export function parseConfig(text: string, sourceName: string, env: Env = process.env): Config {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  const syntax = yamlProblems(doc, lc);
  // A document that does not parse has no reliable structure to validate: report syntax only.
  if (syntax.length > 0) throw new ConfigError(sourceName, syntax);

  const problems = interpolateDocument(doc, lc, env);
  const value = doc.toJS() ?? {};
  const result = configSchema.safeParse(value);
  if (!result.success) {
    for (const p of [...flattenIssues(result.error.issues), ...rawDuplicates(value)]) {
      const path = formatPath(p.path);
      // Skip schema noise on a field whose variable was already reported as unset, and repeats.
      if (problems.some((q) => q.path === path && (q.message === p.message || q.message.startsWith('environment variable')))) continue;
      problems.push({ path, line: lineOf(doc, lc, p.path), message: p.message });
    }
  }
  if (problems.length > 0) {
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    throw new ConfigError(sourceName, problems);
  }
  return (result as { data: Config }).data;
}

/** Reads, interpolates and validates a `releasebot.yaml`. Throws ConfigError (CONFIG_INVALID). */
export function loadConfig(path: string, env: Env = process.env): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [{ path: '', message: `cannot read file: ${(err as Error).message}` }]);
  }
  return parseConfig(text, path, env);
}
