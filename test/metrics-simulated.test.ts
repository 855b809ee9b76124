import { ManualClock } from '../src/clock/clock.js';
import { SimulatedSource } from '../src/metrics/simulated.js';
import { SimulatedFleet } from '../src/sim/fleet.js';
import { runMetricsSourceContract } from './metrics-contract.js';

runMetricsSourceContract('simulated', async () => {
  const now = Date.UTC(2024, 5, 12, 10, 0, 0);
  const clock = new ManualClock(now);
  // Same cells as the real-server harness, so the contract's series counts hold for every backend.
  const fleet = new SimulatedFleet({ seed: 1, clock, environments: ['commercial', 'gov'], tiers: ['canary', 'production'], azs: ['az1', 'az2'] });
  const down = new SimulatedSource({ fleet, clock });
  down.setFault('backend_down');
  return { source: new SimulatedSource({ fleet, clock }), downSource: down, fleet, now };
});
