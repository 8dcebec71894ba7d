// --dump-probe-types, --dump-probe-aliases, --dump-functions: sorted listings of what tstap has.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';

const lines = async (opt: string) => {
  const r = await runTstap([opt]);
  assert.equal(r.stderr, '');
  assert.equal(r.rc, 0);
  const out = r.stdout.trimEnd().split('\n');
  assert.deepEqual(out, [...out].sort(), 'sorted');
  return out;
};

test('--dump-probe-types lists the built-in probe points with their parameter kinds', async () => {
  const out = await lines('--dump-probe-types');
  for (const l of ['begin', 'begin(number)', 'kernel.trace(string)', 'timer.ms(number)', 'timer.ms(number).randomize(number)', 'timer.profile', 'perf.sw.cpu_clock.sample(number)']) {
    assert.ok(out.includes(l), l);
  }
});

test('--dump-probe-aliases lists the tapset aliases by name', async () => {
  const out = await lines('--dump-probe-aliases');
  for (const l of ['syscall.openat', 'syscall.openat.return', 'nd_syscall.kill', 'syscall_any', 'syscall_any.return']) assert.ok(out.includes(l), l);
});

test('--dump-functions lists built-in and tapset functions with their signatures', async () => {
  const out = await lines('--dump-functions');
  for (const l of ['return_str:string (format:long, ret:long)', 'user_string_quoted:string (addr:long)', 'errno_str:string (err:long)',
    'syscall_name:string (num:long)', 'strlen:long (s:string)']) assert.ok(out.includes(l), l);
});
