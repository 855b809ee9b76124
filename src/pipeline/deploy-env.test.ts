import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deployEnv } from './deploy-env.js';

const parent = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/bot',
  RELEASEBOT_API_TOKEN: 'secret-api',
  SLACK_BOT_TOKEN: 'xoxb-secret',
  SLACK_SIGNING_SECRET: 'sig-secret',
  AWS_PROFILE: 'deploy',
};

test('only PATH, HOME, passEnv, env and the step variables, with the step last', () => {
  const env = deployEnv({ parent, env: { DEPLOY_LOG: 'info', RELEASEBOT_STAGE: 'spoofed' }, passEnv: ['AWS_PROFILE', 'UNSET_ONE'] }, { RELEASEBOT_STAGE: 'canary' });
  assert.deepEqual(env, { PATH: '/usr/bin:/bin', HOME: '/home/bot', AWS_PROFILE: 'deploy', DEPLOY_LOG: 'info', RELEASEBOT_STAGE: 'canary' });
});

test('a bot without PATH still gives the command one', () => {
  assert.equal(deployEnv({ parent: {} }, {}).PATH, '/usr/local/bin:/usr/bin:/bin');
});
