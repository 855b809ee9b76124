import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../config/load.js';
import { ReleasebotError } from '../domain/errors.js';
import { schemaOfUrl } from '../store/pg-schema.js';
import { describeFailure, EXIT } from './exit.js';

function sysError(code: string, props: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(''), { code, ...props });
}

test('configuration problems exit 2, one line each with file and line', () => {
  const f = describeFailure(new ConfigError('rb.yaml', [{ path: 'store.url', line: 3, message: 'bad' }, { path: 'server.port', line: 5, message: 'worse' }]));
  assert.deepEqual(f, { exitCode: EXIT.config, lines: ['rb.yaml:3: store.url: bad', 'rb.yaml:5: server.port: worse'] });
});

test('an unreachable store exits 3 and names the address, also when pg wraps ECONNREFUSED in an AggregateError with no message', () => {
  const inner = new AggregateError([sysError('ECONNREFUSED', { address: '127.0.0.1', port: 5432 })], '');
  const err = new ReleasebotError('STORE_FAILED', 'store migration unknown failed: Error: ', {}, { cause: inner });
  const f = describeFailure(err);
  assert.equal(f.exitCode, EXIT.dependency);
  assert.deepEqual(f.lines, ['releasebot: store: cannot connect to the database: connection refused (127.0.0.1:5432); start it or fix store.url']);
});

test('a port that cannot be bound exits 3 with what to do; other errors exit 1 and point at --debug', () => {
  const inUse = describeFailure(sysError('EADDRINUSE', { syscall: 'listen', address: '127.0.0.1', port: 8080 }));
  assert.equal(inUse.exitCode, EXIT.dependency);
  assert.match(inUse.lines[0], /^releasebot: cannot listen on 127\.0\.0\.1:8080: address already in use; .*--port/);
  const perm = describeFailure(sysError('EACCES', { syscall: 'listen', address: '0.0.0.0', port: 80 }));
  assert.match(perm.lines[0], /ports below 1024 need privileges/);
  const other = describeFailure(new TypeError('x is not a function\n  more'));
  assert.deepEqual(other, { exitCode: EXIT.failed, lines: ['releasebot: x is not a function more (run again with --debug for the stack trace)'] });
});

test('schemaOfUrl reads the schema a PostgreSQL URL selects, or none', () => {
  assert.equal(schemaOfUrl('postgres://u@h/db?options=-c%20search_path%3Drb'), 'rb');
  assert.equal(schemaOfUrl('postgres://u@h/db?options=-c%20search_path%3Drb,public'), 'rb');
  assert.equal(schemaOfUrl('postgres://u@h/db?options=--search_path%3D%22My%22'), 'My');
  assert.equal(schemaOfUrl('postgres://u@h/db'), undefined);
  assert.equal(schemaOfUrl('postgres://u@h/db?options=-c%20statement_timeout%3D5000'), undefined);
});
