// The classic syscall scripts in examples/, run unmodified against a known workload.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';
import { workload } from './kernel-fixtures.js';

test('execsnoop.stp: each exec with its arguments, failures with the errno', async () => {
  const r = await runTstap(['examples/execsnoop.stp', '-c', `sh -c '/bin/true one two; /nonexistent-prog x; exit 0'`]);
  assert.equal(r.stderr.replace(/^sh: .*not found\n/m, ''), '');
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'PID     PPID    PARENT           COMMAND');
  assert.ok(lines.some((l) => /^\d+ +\d+ +true +"\/bin\/true" \["one", "two"\]$/.test(l)), r.stdout);
  assert.ok(lines.some((l) => /^\d+ +\d+ +sh +"\/nonexistent-prog" \["x"\] = -2 \(ENOENT\)$/.test(l)), r.stdout);
});

test('killsnoop.stp: every kill(2) with target, signal and result', async () => {
  const r = await runTstap(['examples/killsnoop.stp', '-c', workload('kill0 3')]);
  assert.equal(r.stderr, '');
  const [head, ...rows] = r.stdout.trimEnd().split('\n');
  assert.equal(head, 'PID     COMMAND          TARGET   SIGNAL     RESULT');
  // The script sees every kill(2) on the machine: the workload's are kill(self, 0).
  const own = rows.filter((row) => {
    const m = /^(\d+) +node +(\d+) +0 +0$/.exec(row);
    return m && m[1] === m[2];
  });
  assert.equal(own.length, 3, r.stdout);
});

test('errsnoop.stp: failing calls by command, call and errno name', async () => {
  const r = await runTstap(['examples/errsnoop.stp', '-c', workload('openat /nonexistent/errsnoop 9')]);
  assert.equal(r.stderr, '');
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'COMMAND          SYSCALL              ERROR           COUNT');
  const row = lines.find((l) => /^node +openat +ENOENT +\d+$/.test(l));
  assert.ok(row && Number(row.split(/ +/)[3]) >= 9, r.stdout);
});

test('syscalls-by-proc.stp: the target\'s calls, by process and by call', async () => {
  const r = await runTstap(['examples/syscalls-by-proc.stp', '-c', workload('getppid 2000')]);
  assert.equal(r.stderr, '');
  const [procs, calls] = r.stdout.split('\n\n');
  const procLines = procs!.split('\n');
  assert.equal(procLines[0], 'PID     COMMAND            SYSCALLS');
  assert.match(procLines[1]!, /^\d+ +node +\d+$/);
  const getppid = calls!.split('\n').find((l) => l.startsWith('getppid '));
  // 2000 by the workload, and node's start-up may ask once more.
  assert.match(getppid ?? '', /^getppid +200[01]$/);
});

test('top-syscalls.stp: a report per second, the busiest process and call first', async () => {
  const r = await runTstap(['-T', '2', 'examples/top-syscalls.stp', '-c', `${workload('paced-getppid 300000 200000')}`]);
  assert.equal(r.stderr, '');
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'COMMAND          SYSCALL                   COUNT');
  assert.match(lines[1]!, /^node +getppid +\d+$/);
});
