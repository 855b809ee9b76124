import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { checkConfigFile } from '../src/cli/check-config.js';
import { loadConfig } from '../src/config/load.js';
import { ROOT } from './support/cli.js';

type Doc = { kind: string; metadata: { name: string }; data?: Record<string, string>; stringData?: Record<string, string>; spec?: any };

function manifests(): Map<string, Doc> {
  const out = new Map<string, Doc>();
  for (const f of ['secret.example.yaml', 'configmap.yaml', 'deployment.yaml', 'service.yaml']) {
    for (const d of parseAllDocuments(readFileSync(join(ROOT, 'deploy/kubernetes', f), 'utf8'))) {
      assert.deepEqual(d.errors, [], f);
      const doc = d.toJS() as Doc;
      out.set(doc.kind, doc);
    }
  }
  return out;
}

test('Kubernetes manifests: the ConfigMap config is valid with the Secret\'s variables, uses the PostgreSQL store, and matches the Deployment', () => {
  const m = manifests();
  const secret = m.get('Secret')!.stringData!;
  const cm = m.get('ConfigMap')!;
  const dir = mkdtempSync(join(tmpdir(), 'rb-k8s-'));
  const file = join(dir, 'releasebot.yaml');
  writeFileSync(file, cm.data!['releasebot.yaml']);
  assert.deepEqual(checkConfigFile(file, secret), { output: 'OK', exitCode: 0 });
  const config = loadConfig(file, secret);
  assert.match(config.store.url, /^postgres:\/\//, 'the cluster runs on the PostgreSQL store');

  const pod = m.get('Deployment')!.spec.template.spec;
  const container = pod.containers[0];
  const mount = container.volumeMounts.find((v: { name: string }) => v.name === 'config');
  assert.equal(pod.volumes.find((v: { name: string }) => v.name === 'config').configMap.name, cm.metadata.name);
  assert.deepEqual(container.args.slice(0, 3), ['serve', '--config', `${mount.mountPath}/releasebot.yaml`]);
  const flag = (name: string) => Number(container.args[container.args.indexOf(name) + 1]);
  assert.ok(flag('--drain-timeout') < flag('--stop-timeout'), 'a drained step leaves time to flush the outbox and close the store');
  assert.equal(container.envFrom[0].secretRef.name, m.get('Secret')!.metadata.name);
  assert.equal(container.ports[0].containerPort, config.server.port);
  assert.equal(config.server.host, '0.0.0.0', 'reachable from the Service');
  assert.equal(container.readinessProbe.httpGet.path, '/readyz');
  assert.equal(container.livenessProbe.httpGet.path, '/healthz');
  assert.ok(pod.terminationGracePeriodSeconds > flag('--stop-timeout'), 'longer than serve\'s --stop-timeout');
  assert.equal(m.get('Service')!.spec.selector['app.kubernetes.io/name'], 'releasebot');
});

test('systemd unit runs the compiled CLI with node directly and does not restart on a configuration error', () => {
  const unit = readFileSync(join(ROOT, 'deploy/systemd/releasebot.service'), 'utf8');
  assert.match(unit, /^ExecStart=\/usr\/bin\/node \/opt\/releasebot\/bin\/releasebot\.js serve --config \/etc\/releasebot\/releasebot\.yaml$/m);
  assert.match(unit, /^RestartPreventExitStatus=2$/m);
  assert.match(unit, /^KillSignal=SIGTERM$/m);
  const stop = Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)![1]);
  assert.ok(stop > 30, 'systemd waits longer than serve\'s default --stop-timeout');
});
