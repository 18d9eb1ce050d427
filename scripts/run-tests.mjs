#!/usr/bin/env node
// `npm test`: runs vitest, under a virtual display when there is none, so that the gpu
// backend's headless-gl tests can run real GLSL (Mesa software GL) on a machine with no
// screen. Without xvfb-run those tests skip and say why; everything else runs the same.
import { spawnSync } from 'node:child_process';

const args = ['vitest', 'run', ...process.argv.slice(2)];
const hasXvfb = spawnSync('sh', ['-c', 'command -v xvfb-run'], { stdio: 'ignore' }).status === 0;
const needsDisplay = !process.env.DISPLAY && process.platform === 'linux';
const [cmd, cmdArgs] = needsDisplay && hasXvfb ? ['xvfb-run', ['-a', 'npx', ...args]] : ['npx', args];
if (needsDisplay && !hasXvfb) {
  console.warn('run-tests: no DISPLAY and no xvfb-run: headless-gl tests will be skipped (apt-get install xvfb)');
}
const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit' });
process.exit(r.status ?? 1);
