import { runMetricsSourceContract } from './metrics-contract.js';
import { startVictoria } from './support/victoria.js';
import { prometheusApiFixture } from './support/prometheus-api-fixture.js';

runMetricsSourceContract('victoria-metrics (through PrometheusSource, unchanged)', () => prometheusApiFixture(() => startVictoria()));
