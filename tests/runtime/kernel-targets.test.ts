// $target variables and sprintf in kernel handlers, on real tracepoints: `->` through embedded
// structs, tp_btf pointer arguments that the kernel passes as NULL, and sprintf formats the
// kernel's bpf_snprintf refuses as written (%s followed by a letter or digit), against the
// interpreter (the reference semantics).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

test('-> into embedded structs: $next->thread_info->cpu, $next->se->on_rq, and members of an embedded member\'s address', async () => {
  // The target sleeps once: it is switched in (as `next`) at least once, on the CPU running the
  // probe, queued (se.on_rq) and with the target's comm.
  const r = await runTstap(['-c', workload('sleep 50'), script(`
global seen
probe kernel.trace("sched:sched_switch") {
  if (target() && $next->tgid == target() && kernel_string($next->comm) == "node" && !seen) {
    seen = 1
    printf("cpu %d prev %d on_rq %d tgid %d addr %d\\n", $next->thread_info->cpu == cpu(), $prev->thread_info->cpu == cpu(),
      $next->se->on_rq, $next->tgid == target(), $next->se == 0)
  }
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'cpu 1 prev 1 on_rq 1 tgid 1 addr 0\n');
  assert.equal(r.rc, 0);
});

test('-> on a member that is neither a pointer nor a struct is still refused', async () => {
  const r = await runTstap(['-p4', script(`probe kernel.trace("sched:sched_switch") { println($next->pid->x) }`)]);
  assert.match(r.stderr, /'->x' on a value that is not a pointer/);
  assert.notEqual(r.rc, 0);
});

test('tp_btf pointer arguments are plain values: signal_generate\'s $info is NULL for SIGPIPE, a pointer for kill()', async () => {
  // `yes` gets SIGPIPE through send_sig(..., 0): SEND_SIG_NOINFO, a NULL $info. The workload's
  // kill(self, SIGUSR1) passes a real kernel_siginfo (a kernel address: negative as a long).
  const r = await runTstap(['-c', `sh -c 'yes | head -c1 >/dev/null; ${workload('sigself 10 1')}'`, script(`
probe kernel.trace("signal:signal_generate") {
  if ($sig == 13 && kernel_string($task->comm) == "yes")
    printf("SIGPIPE null %d value %d true %d code %d\\n", $info == 0, $info, $info ? 1 : 0, $info->si_code)
  if ($sig == 10 && kernel_string($task->comm) == "node")
    printf("SIGUSR1 null %d kernel %d true %d code %d\\n", $info == 0, $info < 0, $info ? 1 : 0, $info->si_code)
}
`)]);
  assert.equal(r.stderr, '');
  // si_code 0 is SI_USER; through NULL the read fails and gives 0 too.
  assert.equal(r.stdout, 'SIGPIPE null 1 value 0 true 0 code 0\nSIGUSR1 null 0 kernel 1 true 1 code 0\n');
  assert.equal(r.rc, 0);
});

const FORMATS = [
  'println(sprintf("%sx|%s1|%s%%|%%s|%s%c|%cx|%c1", s, s, s, s, 65, 66, 67))',
  'println(sprintf("%s_x|%5sx|%-5s9|%s\\xe9|%s %d%s%s", s, s, s, s, s, 42, s, s))',
  'println(sprintf("[%s]z%sZ%s0%s", "q", "", "r", "t"))',
  'println(sprintf("%sA%sb%sC%sd%se%sf", s, s, s, s, s, s))',
  'println(sprintf("%s\\n%s\\t%s%%d%s", s, s, s, s))',
  'x = sprintf("%s9", s) . sprintf("%-3sQ", "") println(x)',
  // More than bpf_snprintf's 12 arguments (with the %c bytes): formatted in pieces.
  'println(sprintf("%d%d%d%d%d%d%d%d%d%d%d%d%d%d|%sx%sy%sz", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, s, s, s))',
  'println(sprintf("%s1%s2%s3%s4%s5%s6%s7", s, s, s, s, s, s, s))',
];

test('sprintf with %s followed by a letter or digit (and %% / %c neighbours) matches the interpreter byte for byte', async () => {
  const body = FORMATS.join('\n    ');
  const kernel = await runTstap(['-c', workload('getppid 1'), script(`
probe kernel.trace("syscalls:sys_enter_getppid") {
  if (pid() == target()) {
    s = "ab"
    ${body}
    exit()
  }
}
`)]);
  const interp = await runTstap(['-e', `probe begin { s = "ab"\n ${body}\n exit() }`]);
  assert.equal(kernel.stderr, '');
  assert.equal(interp.stderr, '');
  assert.equal(kernel.stdout, interp.stdout);
  assert.ok(kernel.stdout.startsWith('abx|ab1|ab%|%s|abA|Bx|C1\n'));
  assert.equal(kernel.rc, 0);
});

test('pexecname() in a kernel handler: the parent\'s command name', async () => {
  // sh forks the workload (a command follows it), so the workload's parent is the target, sh.
  const r = await runTstap(['-c', `sh -c '${workload('getppid 1')}; true'`, script(`
probe kernel.trace("syscalls:sys_enter_getppid") {
  if (ppid() == target()) { printf("%s %s %d\\n", execname(), pexecname(), strlen(pexecname())) exit() }
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'node sh 2\n');
  assert.equal(r.rc, 0);
});

test('$$vars, $$parms, $$locals, $$name, $$system of tracepoints (stap\'s tracepoint form: "name=%#x", pointers %p), tp_btf and tracefs alike', async () => {
  const r = await runTstap(['-c', workload('openat /nonexistent/vars 2'), script(`
probe kernel.trace("syscalls:sys_enter_openat") {
  if (pid() == target() && user_string($filename) == "/nonexistent/vars")
    printf("%s|%s|%s|%s|[%s]|%d\\n", $$system, $$name, $$vars, $$parms, $$locals, $filename)
}
probe kernel.trace("sched:sched_process_exec") {
  if (pid() == target()) printf("%s:%s %s|%d %d\\n", $$system, $$name, $$parms, $old_pid, $p)
}
`)]);
  assert.equal(r.stderr, '');
  const lines = r.stdout.trim().split('\n');
  // exec of the workload (tp_btf: TP_PROTO's arguments), then its two opens (tracefs fields).
  assert.equal(lines.length, 3, r.stdout);
  const exec = /^sched:sched_process_exec p=0x([0-9a-f]+) old_pid=0x([0-9a-f]+) bprm=0x[0-9a-f]+\|(\d+) (-?\d+)$/.exec(lines[0]!);
  assert.ok(exec, lines[0]);
  assert.equal(BigInt.asIntN(64, BigInt('0x' + exec[2])), BigInt(exec[3]!));
  assert.equal(BigInt.asIntN(64, BigInt('0x' + exec[1])), BigInt(exec[4]!));
  for (const l of lines.slice(1)) {
    const m = /^syscalls\|sys_enter_openat\|dfd=0xffffffffffffff9c filename=0x([0-9a-f]+) flags=0x0 mode=0x0\|(.*)\|\[\]\|(\d+)$/.exec(l);
    assert.ok(m, l);
    assert.equal(m[2], `dfd=0xffffffffffffff9c filename=0x${m[1]} flags=0x0 mode=0x0`);
    assert.equal(BigInt('0x' + m[1]), BigInt(m[3]!));
  }
});

test('int tracepoint arguments read as their C type: sock_recv_length\'s negative $ret (raw tracepoints pass a zero-extended u64)', async () => {
  const r = await runTstap(['-c', 'node dist/tests/workloads/net.js udp-drop 47133 47134 2 100', script(`
probe kernel.trace("sock:sock_recv_length") { if (pid() == target() && $flags == 0x40) printf("%d %d\\n", $ret, $ret < 0) }
`)]);
  assert.equal(r.stderr, '');
  // Two datagrams, then the non-blocking read that finds none: -EAGAIN.
  assert.equal(r.stdout, '100 0\n100 0\n-11 1\n');
});

test('pretty printing: $var$, ->member$$, @cast(...)$ as stap formats them ({.a=%i, .b=%u, .s="..."}, {...}, [...])', async () => {
  const limits = fs.readFileSync('/proc/self/limits', 'latin1');
  const lim = (name: string) => {
    const m = new RegExp(`^${name}\\s+(\\S+)\\s+(\\S+)`, 'm').exec(limits)!;
    const v = (x: string) => (x === 'unlimited' ? '18446744073709551615' : x);
    return `{.rlim_cur=${v(m[1]!)}, .rlim_max=${v(m[2]!)}}`;
  };
  const r = await runTstap(['-c', workload('getppid 1'), '-e', `
probe kernel.trace("sched:sched_process_exec") {
  if (pid() == target()) {
    println($bprm$)
    println($bprm->rlim_stack$$)
    println(@cast(task_current(), "task_struct")->signal->rlim[7]$)
  }
}`]);
  assert.equal(r.stderr, '');
  const [bprm, stack, nofile] = r.stdout.split('\n');
  assert.match(bprm!, /^\{\.vma=0x[0-9a-f]+, .*, \.argc=4, \.envc=\d+, \.filename="[^"]*\/node", .*\.rlim_stack=\{\.\.\.\}, \.buf=\[\.\.\.\]\}$/);
  // Stack sizes are in KiB in /proc, bytes in the kernel.
  const st = /^Max stack size\s+(\S+)\s+(\S+)/m.exec(limits)!;
  const bytes = (x: string) => (x === 'unlimited' ? '18446744073709551615' : x);
  assert.equal(stack, `{.rlim_cur=${bytes(st[1]!)}, .rlim_max=${bytes(st[2]!)}}`);
  assert.equal(nofile, lim('Max open files'));
});

test('$$parms$: each argument pretty printed ("name=%s" of $name$)', async () => {
  const r = await runTstap(['-c', workload('getppid 1'), '-e', `
probe kernel.trace("sched:sched_process_exec") { if (pid() == target()) println(substr($$parms$, 0, 40)) }`]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'p={.thread_info={...}, .__state=0, .save\n');
});
