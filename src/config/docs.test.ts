import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { configSchema } from './schema.js';
import { loadConfig } from './load.js';
import { checkConfigFile } from '../cli/check-config.js';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

/** Every field path of a zod schema, as written in the docs: `a.b`, `list[].field`. */
function fieldPaths(schema: z.ZodTypeAny, prefix = ''): string[] {
  if (schema instanceof z.ZodDefault) return fieldPaths(schema._def.innerType, prefix);
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return fieldPaths(schema.unwrap(), prefix);
  if (schema instanceof z.ZodEffects) return fieldPaths(schema.innerType(), prefix);
  if (schema instanceof z.ZodArray) return fieldPaths(schema.element, `${prefix}[]`);
  if (schema instanceof z.ZodUnion || schema instanceof z.ZodDiscriminatedUnion) {
    const options = [...(schema.options as Iterable<z.ZodTypeAny>)];
    return [...new Set(options.flatMap((o) => fieldPaths(o, prefix)))];
  }
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape as Record<string, z.ZodTypeAny>).flatMap(([key, child]) => {
      const path = prefix ? `${prefix}.${key}` : key;
      return [path, ...fieldPaths(child, path)];
    });
  }
  return [];
}

const EXAMPLE_ENV = {
  RELEASEBOT_API_TOKEN: 'ci-token-123456',
  SLACK_BOT_TOKEN: 'xoxb-test',
  SLACK_SIGNING_SECRET: 'signing-secret',
  PAGERDUTY_ROUTING_KEY: 'routing-key',
};

test('docs/configuration.md documents every field of the schema', () => {
  const docs = readFileSync(root('docs/configuration.md'), 'utf8');
  const paths = fieldPaths(configSchema);
  assert.ok(paths.length > 80, `walked ${paths.length} paths`);
  assert.ok(paths.includes('pipeline.stages[].bake') && paths.includes('deployer.command') && paths.includes('metrics.auth.bearer'));
  const missing = paths.filter((p) => !docs.includes(`\`${p}\``));
  assert.deepEqual(missing, [], `undocumented fields: ${missing.join(', ')}`);
});

test('examples/releasebot.yaml is valid and models the two-environment Slack-like pipeline', () => {
  const c = loadConfig(root('examples/releasebot.yaml'), EXAMPLE_ENV);
  const stages = c.pipeline.stages;
  assert.equal(stages.length, 14);
  assert.deepEqual(stages.map((s) => s.environment), [...Array(7).fill('commercial'), ...Array(7).fill('gov')]);
  for (const env of [stages.slice(0, 7), stages.slice(7)]) {
    assert.deepEqual(env.map((s) => s.tier), ['staging', 'dogfood', 'canary', 'production', 'production', 'production', 'production']);
    assert.deepEqual(env.map((s) => s.percent), [100, 100, 2, 10, 25, 50, 100]);
    assert.equal(env[3].azs.length, 1, '10% runs in one AZ');
    assert.equal(env[6].azs.length, 3, '100% runs across three AZs');
    assert.ok(env.every((s) => s.bake > 0));
  }
  assert.equal(c.metrics.type, 'prometheus');
  assert.equal(c.metrics.type === 'prometheus' && c.metrics.url, 'http://127.0.0.1:9090');
  assert.equal(c.deployer.type, 'command');
  assert.equal(c.notify.slack?.token, 'xoxb-test');
  assert.ok(c.checks.some((k) => k.query.includes('sum by (tier, az, environment)')));
  assert.deepEqual(checkConfigFile(root('examples/releasebot.yaml'), EXAMPLE_ENV), { output: 'OK', exitCode: 0 });
});

test('check-config without the secrets lists each unset variable with its line, exit 2', () => {
  const r = checkConfigFile(root('examples/releasebot.yaml'), {});
  assert.equal(r.exitCode, 2);
  const lines = r.output.split('\n');
  assert.equal(lines.length, 4);
  for (const l of lines) assert.match(l, /releasebot\.yaml:\d+: [\w.[\]]+: environment variable [A-Z_]+ is not set/);
});
