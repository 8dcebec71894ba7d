// After every way a run can end — exit(), -T, Ctrl-C, SIGTERM, kill -9 — no program of ours
// stays loaded in the kernel.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { ROOT, runTstap } from '../corpus-runner.js';
import { koffiSys } from '../../src/runtime/sys/koffi-sys.js';
import { loadedProgramNames } from '../../src/runtime/kernel/inventory.js';

// Programs are named tstap<pid>_<n>: only count those of the tstap process under test (other
// test files load programs concurrently).
const ours = (pid = process.pid) => loadedProgramNames(koffiSys()).filter((n) => n.startsWith(`tstap${pid % 100000}_`));
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
async function signalled(signal: NodeJS.Signals, script = SCRIPT, loaded = (names: string[]) => names.length === 2): Promise<number | null> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/tstap'), '-e', script], { stdio: 'ignore' });
  const pid = child.pid!;
  for (let i = 0; i < 200 && !loaded(ours(pid)); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(loaded(ours(pid)), 'the programs were loaded');
  child.kill(signal);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  for (let i = 0; i < 40 && ours(pid).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(ours(pid), []);
  return code;
}

test('Ctrl-C (SIGINT) runs the end probes and detaches', async () => {
  assert.equal(await signalled('SIGINT'), 0);
});

test('SIGTERM', async () => {
  assert.equal(await signalled('SIGTERM'), 0);
});

test('kill -9: the kernel drops everything with the process', async () => {
  assert.equal(await signalled('SIGKILL'), null);
});

test('syscall.* through the shared dispatcher: SIGTERM leaves neither the dispatcher nor the probes', async () => {
  // The dispatcher on raw_syscalls:sys_enter is tstap<pid>_se; the ~360 probes are tstap<pid>_<n>.
  const all = (names: string[]) => names.some((n) => n.endsWith('_se')) && names.length > 300;
  assert.equal(await signalled('SIGTERM', 'global n; probe syscall.* { n++ }', all), 0);
});
