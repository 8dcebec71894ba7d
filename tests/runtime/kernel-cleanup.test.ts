// After every way a run can end — exit(), -T, Ctrl-C, SIGTERM, kill -9 — no program of ours
// stays loaded in the kernel.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { ROOT, runTstap } from '../corpus-runner.js';
import { koffiSys } from '../../src/runtime/sys/koffi-sys.js';
import { loadedProgramNames } from '../../src/runtime/kernel/inventory.js';

const ours = () => loadedProgramNames(koffiSys()).filter((n) => n.startsWith('tstap_'));
const SCRIPT = 'global n; probe kernel.trace("sched:sched_switch") { n++ } probe kernel.trace("syscalls:sys_enter_getppid") { n++ }';

test('exit() from a timer', async () => {
  const r = await runTstap(['-e', `${SCRIPT} probe timer.ms(100) { exit() }`]);
  assert.equal(r.rc, 0);
  assert.deepEqual(ours(), []);
});

test('-T timeout', async () => {
  const r = await runTstap(['-T', '1', '-e', SCRIPT]);
  assert.equal(r.rc, 0);
  assert.deepEqual(ours(), []);
});

/** Runs tstap as its own process, waits until its programs are loaded, then signals it. */
async function signalled(signal: NodeJS.Signals): Promise<number | null> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/tstap'), '-e', SCRIPT], { stdio: 'ignore' });
  for (let i = 0; i < 100 && ours().length < 2; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(ours().length, 2, 'the programs were loaded');
  child.kill(signal);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

test('Ctrl-C (SIGINT) runs the end probes and detaches', async () => {
  assert.equal(await signalled('SIGINT'), 0);
  assert.deepEqual(ours(), []);
});

test('SIGTERM', async () => {
  assert.equal(await signalled('SIGTERM'), 0);
  assert.deepEqual(ours(), []);
});

test('kill -9: the kernel drops everything with the process', async () => {
  await signalled('SIGKILL');
  for (let i = 0; i < 40 && ours().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(ours(), []);
});
