import { runMetricsSourceContract } from './metrics-contract.js';
import { startPrometheus } from './support/prometheus.js';
import { prometheusApiFixture } from './support/prometheus-api-fixture.js';

runMetricsSourceContract('prometheus', () => prometheusApiFixture(() => startPrometheus()));
