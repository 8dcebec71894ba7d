// -l/-L (stap's probe listing), tracepoint wildcards, and the pruning of tapset variables a
// handler never reads, on this kernel.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

test('-l lists the matching aliases by their own names, sorted', async () => {
  const r = await runTstap(['-l', 'syscall.open*']);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, ['syscall.open', 'syscall.open_by_handle_at', 'syscall.open_tree', 'syscall.open_tree_attr', 'syscall.openat', 'syscall.openat2', ''].join('\n'));
  assert.equal(r.rc, 0);
});

test('-L adds the alias variables with their types, then the target variables underneath', async () => {
  const r = await runTstap(['-L', 'syscall.openat']);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'syscall.openat name:string dfd:long dfd_str:string filename:string flags:long flags_str:string mode:long argstr:string ' +
    '$dfd:int $filename:const char* $flags:int $mode:umode_t\n');
});

test('-L of a tracepoint glob: one line per tracepoint with its BTF-typed arguments', async () => {
  const r = await runTstap(['-L', 'kernel.trace("sched:sched_wak*")']);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, [
    'kernel.trace("sched:sched_wake_idle_without_ipi") $cpu:int',
    'kernel.trace("sched:sched_wakeup") $p:struct task_struct*',
    'kernel.trace("sched:sched_wakeup_new") $p:struct task_struct*',
    'kernel.trace("sched:sched_waking") $p:struct task_struct*',
    ''].join('\n'));
});

test('-l of a pattern nothing matches fails', async () => {
  const r = await runTstap(['-l', 'syscall.nosuch*']);
  assert.equal(r.rc, 1);
  assert.equal(r.stdout, '');
});

test('a tracepoint glob probes every match (exactly N getppid calls through sys_enter_getpp*)', async () => {
  const r = await runTstap(['-c', workload('getppid 250'), script(`
global armed, n
probe kernel.trace("syscalls:sys_enter_kill") { if (pid() == target()) armed = 1 }
probe kernel.trace("syscalls:sys_enter_getpp*") { if (armed && pid() == target()) n[pp()]++ }
probe end { foreach (p in n) printf("%s %d\\n", p, n[p]) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'kernel.trace("syscalls:sys_enter_getppid") 250\n');
});

test('a handler that reads no tapset variable does not compute them (a few dozen instructions, not thousands)', async () => {
  const size = async (body: string) => (await runTstap(['-p3', '-e', `global n; probe syscall.openat { ${body} }`])).stdout.split('\n').length;
  const bare = await size('n++');
  const withArgstr = await size('n++; println(argstr)');
  assert.ok(bare < 100, `n++ alone: ${bare} lines`);
  assert.ok(withArgstr > 1000, `with argstr: ${withArgstr} lines`);
});

test('-l with wildcards lists built-in points too (those taking no argument), with the aliases', async () => {
  const timer = await runTstap(['-l', 'timer.*']);
  assert.equal(timer.stdout, 'timer.profile\n');
  const top = await runTstap(['-l', '*']);
  assert.equal(top.stdout, 'begin\nend\nerror\nnever\nsyscall_any\n');
  const sw = await runTstap(['-l', 'perf.sw.c*']);
  assert.equal(sw.stdout, 'perf.sw.context_switches\nperf.sw.cpu_clock\nperf.sw.cpu_migrations\n');
});
