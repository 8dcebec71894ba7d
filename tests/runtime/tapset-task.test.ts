// The task tapset (task_current(), task_pid(), ... through @cast in the kernel's BTF) and the
// current process's arguments (cmdline_str(), cmdline_arg(), cmdline_args()), in kernel handlers,
// against what the workload process is.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

test('task_* of task_current() and task_parent(), cmdline_* of the workload (an empty argument, one with a space)', async () => {
  const r = await runTstap(['-c', `${workload('getppid 1')} "" "a b"`, script(`
probe kernel.trace("syscalls:sys_enter_getppid") {
  if (pid() != target() || execname() != "node") next
  t = task_current()
  printf("%s pid %d tid %d parent %d state %d uid %d euid %d gid %d egid %d prio %d nice %d cpu %d files %d\\n",
    task_execname(t), task_pid(t) == pid(), task_tid(t) == tid(), task_pid(task_parent(t)) == ppid(), task_state(t),
    task_uid(t) == uid(), task_euid(t) == euid(), task_gid(t) == gid(), task_egid(t) == egid(), task_prio(t), task_nice(t),
    task_cpu(t) == cpu(), task_max_file_handles(t) >= 64)
  printf("[%s] [%s]\\n", cmdline_str(), cmdline_arg(2))
}
probe kernel.trace("syscalls:sys_exit_getppid") { if (pid() == target() && execname() == "node") printf("[%s]\\n", cmdline_args(3, -1, ",")) }
probe kernel.trace("syscalls:sys_enter_exit_group") { if (pid() == target() && execname() == "node") printf("[%s]\\n", cmdline_args(0, 1, "+")) }
probe kernel.trace("syscalls:sys_exit_getppid") { if (pid() == target() && execname() == "node") printf("[%s]\\n", cmdline_arg(9)) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, [
    'node pid 1 tid 1 parent 1 state 0 uid 1 euid 1 gid 1 egid 1 prio 20 nice 0 cpu 1 files 1',
    // cmdline_str() shows an empty argument as two spaces (stap: ""), cmdline_args() as "".
    '[node dist/tests/workloads/syscalls.js getppid 1  a b] [getppid]',
    '[1,"",a b]',
    '[]',
    '[node+dist/tests/workloads/syscalls.js]',
    '',
  ].join('\n'));
});

test('task_current() and cmdline_str() in a begin probe: a run-time error (no kernel task there)', async () => {
  const r = await runTstap(['-e', 'probe begin { println(task_pid(task_current())) }']);
  assert.match(r.stderr, /^ERROR: task_current\(\): no probed process or kernel context in this handler/m);
  const c = await runTstap(['-e', 'probe begin { println(cmdline_str()) }']);
  assert.match(c.stderr, /^ERROR: cmdline_str\(\): no probed process or kernel context in this handler/m);
});

test('@cast to a type the kernel does not have, and @defined of casts', async () => {
  const bad = await runTstap(['-p4', '-e', 'probe kernel.trace("sched:sched_switch") { println(@cast($next, "no_such_struct")->x) }']);
  assert.match(bad.stderr, /type definition 'no_such_struct' not found in the kernel's BTF/);
  const r = await runTstap(['-c', workload('getppid 1'), '-e', `probe kernel.trace("syscalls:sys_enter_getppid") {
  if (pid() == target() && execname() == "node") printf("%d %d %d\\n", @defined(@cast(task_current(), "task_struct")->mm->arg_start),
    @defined(@cast(task_current(), "struct task_struct")->no_such), @defined(@cast(0, "no_such_struct")->x)) }`]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '1 0 0\n');
});

test('pid2task and pid2execname: the parent, this process, a pid that does not exist', async () => {
  const r = await runTstap(['-c', workload('getppid 1'), script(`
probe kernel.trace("syscalls:sys_enter_getppid") {
  if (pid() != target() || execname() != "node") next
  printf("%d %s %d %s [%s]\\n", task_pid(pid2task(ppid())) == ppid(), pid2execname(pid()), pid2task(999999999), task_execname(pid2task(tid())),
    pid2execname(999999999))
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '1 node 0 node []\n');
});

test('bitfield members and & of members through @cast and $arg-> (in_execve is set during exec only; tgid follows pid)', async () => {
  const r = await runTstap(['-c', workload('getppid 1'), '-e', `
probe kernel.trace("sched:sched_process_exec") {
  if (pid() == target()) printf("exec %d %d %d\\n", @cast(task_current(), "task_struct")->in_execve, &$p->tgid - &$p->pid, &$p->pid - $p > 0)
}
probe kernel.trace("syscalls:sys_enter_getppid") {
  if (pid() == target()) printf("getppid %d %d\\n", @cast(task_current(), "task_struct")->in_execve,
    &@cast(task_current(), "task_struct")->tgid - &@cast(task_current(), "task_struct")->pid)
}`]);
  assert.equal(r.stderr, '');
  // The shell that exec's the workload, then the workload's exec and its getppid.
  assert.equal(r.stdout, 'exec 1 4 1\ngetppid 0 4\n');
});

test('array subscripts in target chains: $p->comm[i] (literal and computed), ->rlim[RLIMIT_NOFILE] through a pointer, @defined, range checks', async () => {
  const nofile = /^Max open files\s+(\d+)/m.exec(fs.readFileSync('/proc/self/limits', 'latin1'))![1];
  const r = await runTstap(['-c', workload('getppid 1'), '-e', `
probe kernel.trace("sched:sched_process_exec") {
  if (pid() == target()) {
    i = 1
    printf("%c%c %d %d %d %d %d %d\\n", $p->comm[0], $p->comm[i], @cast(task_current(), "task_struct")->signal->rlim[7]->rlim_cur,
      @defined($p->comm[3]), @defined($p->pid[0]), task_rlimit_nofile(task_current()), task_rlimit(task_current(), "RLIMIT_NOFILE"),
      task_rlimit(task_current(), "RLIMIT_NOPE"))
  }
}`]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, `no ${nofile} 1 0 ${nofile} ${nofile} -1\n`);
  const bad = await runTstap(['-p4', '-e', 'probe kernel.trace("sched:sched_process_exec") { println($p->comm[16]) }']);
  assert.match(bad.stderr, /index 16 is out of range for an array of 16/);
});

test('cmdline_args() of a dozen arguments, twice in one handler; execve\'s args past four elements', async () => {
  const many = Array.from({ length: 10 }, (_, i) => `a${i}`).join(' ');
  const r = await runTstap(['-c', `${workload('getppid 1')} ${many}`, script(`
probe kernel.trace("syscalls:sys_enter_getppid") {
  if (pid() == target() && execname() == "node") printf("[%s] [%s] [%s]\\n", cmdline_args(5, -1, " "), cmdline_args(0, 2, ","), cmdline_arg(13))
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '[a1 a2 a3 a4 a5 a6 a7 a8 a9] [node,dist/tests/workloads/syscalls.js,getppid] [a9]\n');
  const e = await runTstap(['-c', 'sh -c "/bin/echo 1 2 3 4 5 6 7 8 9 >/dev/null; true"', '-e',
    'probe syscall.execve { if (ppid() == target()) println(args) }']);
  assert.equal(e.stderr, '');
  assert.equal(e.stdout, '["/bin/echo", "1", "2", "3", "4", "5", "6", "7", "8", "9"]\n');
});
