import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, defaultDemoConfig, loadConfig, parseConfig, type ConfigProblem } from './load.js';

const STAGE = `
    - name: staging
      environment: commercial
      tier: staging
      azs: [az1]
      percent: 100`;

/** Parses and returns the problems (fails the test if the config is valid). */
function problems(text: string, env: Record<string, string> = {}): ConfigProblem[] {
  try {
    parseConfig(text, 'test.yaml', env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.equal(err.code, 'CONFIG_INVALID');
    return err.problems;
  }
  assert.fail('expected the configuration to be rejected');
}

describe('parseConfig', () => {
  it('accepts a minimal config and fills defaults', () => {
    const c = parseConfig(`pipeline:\n  stages:${STAGE}\n`, 'min.yaml', {});
    assert.equal(c.pipeline.stages[0].bake, 600);
    assert.equal(c.store.url, 'sqlite:./.releasebot/releasebot.db');
    assert.equal(c.deployer.type, 'simulated');
    assert.equal(c.server.port, 8080);
  });

  it('lists every problem with its field path and line', () => {
    const text = [
      'server:', //                                1
      '  port: 70000', //                          2
      'pipeline:', //                              3
      '  stages:', //                              4
      '    - name: staging', //                    5
      '      environment: commercial', //          6
      '      tier: staging', //                    7
      '      azs: [az1]', //                       8
      '      percent: 150', //                     9
      '    - name: dogfood', //                    10
      '      environment: commercial', //          11
      '      azs: [az1]', //                       12
      '      percent: 100', //                     13
      '      bake: 10 minutes', //                 14
      'checks:', //                                15
      '  - name: errors', //                       16
      '    query: up', //                          17
      '    direction: sideways', //                18
      '  - name: errors', //                       19
      '    query: up', //                          20
      'policy:', //                                21
      '  rollback: [purple]', //                   22
    ].join('\n');
    const got = problems(text).map((p) => `${p.line} ${p.path}`);
    assert.deepEqual(got, [
      '2 server.port',
      '9 pipeline.stages[0].percent',
      '10 pipeline.stages[1].tier',
      '14 pipeline.stages[1].bake',
      '18 checks[0].direction',
      '19 checks[1].name',
      '22 policy.rollback[0]',
    ]);
    const msg = problems(text).map((p) => p.message).join('\n');
    assert.match(msg, /required field is missing/);
    assert.match(msg, /invalid duration "10 minutes"/);
    assert.match(msg, /duplicate check name "errors"/);
  });

  it('reports a missing required section at the top', () => {
    assert.deepEqual(problems('server:\n  port: 1\n'), [{ path: 'pipeline', line: 1, message: 'required field is missing (expected object)' }]);
  });

  it('rejects unknown keys at every level, each at its own line', () => {
    const text = `pipeline:\n  stages:${STAGE}\n      colour: blue\n  speed: 3\nextra: true\n`;
    assert.deepEqual(
      problems(text).map((p) => `${p.line} ${p.path}: ${p.message}`),
      ['8 pipeline.stages[0].colour: unknown field "colour"', '9 pipeline.speed: unknown field "speed"', '10 extra: unknown field "extra"'],
    );
  });

  it('rejects bad durations and explains the format', () => {
    for (const bad of ['10 minutes', '5w', '-5s', 'soon']) {
      const p = problems(`pipeline:\n  tick: ${bad}\n  stages:${STAGE}\n`);
      assert.equal(p.length, 1, bad);
      assert.equal(p[0].path, 'pipeline.tick');
      assert.equal(p[0].line, 2);
      assert.match(p[0].message, /invalid duration/);
    }
    assert.match(problems(`pipeline:\n  tick: -3\n  stages:${STAGE}\n`)[0].message, /greater than or equal to 0/);
    assert.match(problems(`pipeline:\n  tick: true\n  stages:${STAGE}\n`)[0].message, /expected number or string, received boolean/);
    const ok = parseConfig(`pipeline:\n  tick: 1.5h\n  stages:${STAGE}\n      bake: 250ms\n`, 't', {});
    assert.equal(ok.pipeline.tick, 5400);
    assert.equal(ok.pipeline.stages[0].bake, 0.25);
  });

  it('reports YAML syntax errors with their line', () => {
    const p = problems('pipeline:\n  stages: [\n    - a\n');
    assert.ok(p.length >= 1);
    assert.ok(p[0].line !== undefined && p[0].line >= 2, `line ${p[0].line}`);
    assert.match(p[0].message, /YAML syntax/);
    assert.match(problems('a: 1\na: 2\n')[0].message, /YAML syntax.*[Uu]nique/);
  });
});

describe('environment interpolation', () => {
  const base = (store: string, extra = '') => `store:\n  url: ${store}\n${extra}pipeline:\n  stages:${STAGE}\n`;

  it('substitutes variables, defaults, and the $${ escape', () => {
    const env = { DB: 'postgres://db/rb', EMPTY: '' };
    assert.equal(parseConfig(base('${DB}'), 't', env).store.url, 'postgres://db/rb');
    assert.equal(parseConfig(base('${NOPE:-sqlite::memory:}'), 't', env).store.url, 'sqlite::memory:');
    assert.equal(parseConfig(base('${EMPTY:-sqlite:x.db}'), 't', env).store.url, 'sqlite:x.db');
    assert.equal(parseConfig(base('"${EMPTY-sqlite:y.db}x"'), 't', env).store.url, 'x');
    assert.equal(parseConfig(base('"pre-${DB}-$${LITERAL}"'), 't', env).store.url, 'pre-postgres://db/rb-${LITERAL}');
  });

  it('gives a plain ${VAR} the type YAML would, but keeps quoted values strings', () => {
    const c = parseConfig(`server:\n  port: \${PORT}\n  apiTokens: ["\${TOKEN}"]\npipeline:\n  stages:${STAGE}\n`, 't', { PORT: '9090', TOKEN: '12345678' });
    assert.equal(c.server.port, 9090);
    assert.deepEqual(c.server.apiTokens, ['12345678']);
  });

  it('names the field and line of an unset variable, once, alongside other problems', () => {
    const text = `server:\n  port: 1\n  apiTokens:\n    - \${API_TOKEN}\n${base('${DB}').replace('store', 'stor')}`;
    const p = problems(text);
    assert.deepEqual(
      p.map((x) => `${x.line} ${x.path}`),
      ['4 server.apiTokens[0]', '5 stor', '6 stor.url'],
    );
    assert.match(p[0].message, /environment variable API_TOKEN is not set/);
    assert.match(p[2].message, /environment variable DB is not set/);
  });

  it('rejects malformed references', () => {
    assert.match(problems(base('"${1BAD}"'))[0].message, /invalid variable reference/);
    assert.match(problems(base('"${OPEN"'))[0].message, /unterminated/);
  });
});

describe('loadConfig and defaultDemoConfig', () => {
  it('reports an unreadable file as a ConfigError', () => {
    assert.throws(() => loadConfig('/nonexistent/releasebot.yaml', {}), (e: unknown) => e instanceof ConfigError && /cannot read file/.test(e.problems[0].message));
  });

  it('the demo config is the two-environment Slack-like pipeline on simulated parts', () => {
    const c = defaultDemoConfig();
    assert.equal(c.pipeline.stages.length, 14);
    assert.deepEqual([...new Set(c.pipeline.stages.map((s) => s.environment))], ['commercial', 'gov']);
    assert.deepEqual(c.pipeline.stages.slice(0, 7).map((s) => s.percent), [100, 100, 2, 10, 25, 50, 100]);
    assert.equal(c.pipeline.stages[3].azs.length, 1);
    assert.equal(c.deployer.type, 'simulated');
    assert.equal(c.metrics.type, 'simulated');
    assert.ok(c.store.url.startsWith('sqlite:'));
    assert.deepEqual(new Set(c.checks.map((k) => k.dynamic)), new Set(['off', 'dynamic', 'seasonal']));
  });
});
