// The syscall tapset (tapset/linux/syscalls*.stp) on this kernel: stap's variables and argstr
// for a workload making known system calls, wildcards, return values and errors.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

test('syscall.openat: name, argstr with the quoted path and decoded flags, retstr with the errno', async () => {
  const r = await runTstap(['-c', workload('openat /nonexistent/tapset 2'), script(`
global mine
probe syscall.openat {
  if (pid() == target() && filename == "\\"/nonexistent/tapset\\"") {
    mine[tid()] = 1
    printf("%s(%s) dfd=%d flags=%d %s\\n", name, argstr, dfd, flags, flags_str)
  }
}
probe syscall.openat.return {
  if (mine[tid()]) printf("%s = %s (%d)\\n", name, retstr, retval)
  delete mine[tid()]
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'openat(AT_FDCWD, "/nonexistent/tapset", O_RDONLY) dfd=-100 flags=0 O_RDONLY\nopenat = -2 (ENOENT) (-2)\n'.repeat(2));
  assert.equal(r.rc, 0);
});

test('syscall.kill: pid, sig, sig_name and argstr, exactly N calls', async () => {
  const r = await runTstap(['-c', workload('kill0 25'), script(`
global n, args
probe syscall.kill { if (pid() == target()) { n++; args[argstr, sig_name, sig]++ } }
probe end { foreach ([a, s, g] in args) printf("%d %s|%s|%d %d\\n", n, a, s, g, args[a, s, g]) }
`)]);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^25 (\d+), 0\|0\|0 25\n$/);
});

test('syscall.* counts by name with one wildcard probe (getppid exactly N times)', async () => {
  const r = await runTstap(['-c', workload('getppid 300'), script(`
global calls, armed
// The workload makes one kill(self, 0) first: node's own start-up may call getppid too.
probe syscall.* { if (pid() == target()) { if (name == "kill") armed = 1; if (armed) calls[name]++ } }
probe end { printf("getppid=%d kill=%d\\n", calls["getppid"], calls["kill"]) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'getppid=300 kill=1\n');
});

test('syscall.*.return: errors by name with errno_str, as the classic errsnoop scripts do', async () => {
  const r = await runTstap(['-c', workload('openat /nonexistent/e 7'), script(`
global errs
probe syscall.*.return { if (pid() == target() && retval < 0) errs[name, errno_str(retval)]++ }
probe end { printf("%d\\n", errs["openat", "ENOENT"] >= 7) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '1\n');
});

test('a syscall probe point that does not exist: stap\'s mismatch error at the bad component, with suggestions', async () => {
  const r = await runTstap(['-p2', '-e', 'probe syscall.opennat { }']);
  assert.equal(r.rc, 1);
  assert.match(r.stderr, /semantic error: probe point mismatch \(similar: openat, [^)]*\): identifier 'opennat' at :1:15\n        source: probe syscall.opennat \{ \}\n {30}\^/);
});

test('nd_syscall.openat: the same variables, and int_arg/pointer_arg read the arguments', async () => {
  const r = await runTstap(['-c', workload('openat /nonexistent/nd 3'), script(`
probe nd_syscall.openat {
  if (pid() == target() && filename == "\\"/nonexistent/nd\\"")
    printf("%s|%s|%d|%s|%d|%d\\n", name, argstr, int_arg(1), user_string(pointer_arg(2)), uint_arg(3), long_arg(1))
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'openat|AT_FDCWD, "/nonexistent/nd", O_RDONLY|-100|/nonexistent/nd|0|-100\n'.repeat(3));
});

test('syscall_any and syscall_any.return: number, name and return value of every call', async () => {
  const r = await runTstap(['-c', workload('getppid 40'), script(`
global armed, n, nr, rets
probe syscall_any { if (pid() == target()) { if (name == "kill") armed = 1; else if (armed && name == "getppid") { n++; nr = syscall_nr } } }
probe syscall_any.return { if (armed && pid() == target() && name == "getppid") rets[retval == ppid()]++ }
probe end { printf("%d %d %d\\n", n, nr, rets[1]) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '40 110 40\n');
});

test('int_arg outside a syscall probe is a clear compile error', async () => {
  const r = await runTstap(['-p4', '-e', 'probe kernel.trace("sched:sched_switch") { println(int_arg(1)) }']);
  assert.equal(r.rc, 1);
  assert.match(r.stderr, /not supported in kernel context yet: int_arg\(\) outside syscall probes/);
});

test('@entry in a return probe: values from the call\'s entry (a target variable, a time)', async () => {
  const r = await runTstap(['-c', workload('openat /nonexistent/entry 4'), script(`
probe syscall.openat.return {
  if (pid() == target() && user_string(@entry($filename)) == "/nonexistent/entry")
    printf("%s %d %s %d\\n", name, @entry($dfd), retstr, gettimeofday_ns() >= @entry(gettimeofday_ns()))
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'openat -100 -2 (ENOENT) 1\n'.repeat(4));
});

test('@entry outside a return probe is an error at the @entry', async () => {
  const r = await runTstap(['-p2', '-e', 'probe syscall.openat { println(@entry($dfd)) }']);
  assert.equal(r.rc, 1);
  assert.match(r.stderr, /semantic error: @entry is allowed only in return probes: operator '@entry' at <input>:1:32/);
});

test('log() in a kernel handler: the message and a newline, in order with printf output', async () => {
  const r = await runTstap(['-c', workload('kill0 2'), script(`
probe syscall.kill { if (pid() == target()) { log(sprintf("kill sig=%d", sig)); printf("after\\n") } }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'kill sig=0\nafter\n'.repeat(2));
});

test('tapset helpers keep their locals to themselves: a script global named s or i changes nothing', async () => {
  const r = await runTstap(['-c', workload('openat /nonexistent/globals 1'), script(`
global s = "mine", i = 42, acc, digits
probe syscall.openat {
  if (pid() == target() && filename == "\\"/nonexistent/globals\\"") printf("%s|%s|%s|%d\\n", argstr, return_str(3, 8), s, i)
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'AT_FDCWD, "/nonexistent/globals", O_RDONLY|010|mine|42\n');
});

test('ctime(), signal_str() and kin printed from a kernel handler: applied in user space, as the interpreter prints them', async () => {
  const args = 'ctime(1700000000), signal_str(15), nsecs_to_string(1500000000), str_replace("a-b-c", "-", "+"), tz_ctime(0)';
  const kernel = await runTstap(['-c', workload('kill0 2'), script(`
probe syscall.kill { if (pid() == target()) printf("%s|%s|%s|%s|%s\\n", ${args}) }
`)]);
  const interp = await runTstap(['-e', `probe begin { printf("%s|%s|%s|%s|%s\\n", ${args}); exit() }`]);
  assert.equal(kernel.stderr, '');
  assert.equal(interp.stdout.split('|')[0], 'Tue Nov 14 22:13:20 2023');
  assert.equal(kernel.stdout, interp.stdout.repeat(2));
});

test('a deferred built-in that fails is the run-time error stap reports, at the call', async () => {
  const r = await runTstap(['-c', workload('kill0 1'), script(`
probe syscall.kill { if (pid() == target()) printf("%s\\n", ctime(99999999999)) }
`)]);
  assert.equal(r.rc, 1);
  assert.match(r.stderr, /^ERROR: Time too far in the future to be converted near identifier 'ctime' at .*test\.stp:2:60\n/);
});

test('print(@hist_log(...)) and @hist_linear of an array element from kernel handlers: as the interpreter prints them', async () => {
  const stats = 's <<< $sig + 3; s <<< 40; a["x", 1] <<< 100; a["x", 1] <<< 7';
  const prints = 'print(@hist_log(s)); print(@hist_linear(a["x", 1], 0, 200, 50))';
  const kernel = await runTstap(['-c', workload('kill0 1'), script(`
global s, a
probe syscall.kill { if (pid() == target()) { ${stats.replace('$sig', 'sig')} } }
probe syscall.kill.return { if (pid() == target()) { ${prints} } }
`)]);
  const interp = await runTstap(['-e', `global s, a; probe begin { ${stats.replace('$sig', '0')}; ${prints}; exit() }`]);
  assert.equal(kernel.stderr, '');
  assert.match(interp.stdout, /^value \|-+ count\n/);
  assert.equal(kernel.stdout, interp.stdout);
});

test('ansi_* in kernel handlers: the same escape sequences as the interpreter, in order', async () => {
  const body = 'ansi_clear_screen(); ansi_set_color(31); printf("red"); ansi_reset_color(); ansi_cursor_move(3, 4); println("")';
  const kernel = await runTstap(['-c', workload('kill0 1'), script(`probe syscall.kill { if (pid() == target()) { ${body} } }`)]);
  const interp = await runTstap(['-e', `probe begin { ${body}; exit() }`]);
  assert.equal(kernel.stderr, '');
  assert.equal(interp.stdout, '\x1b[1;1H\x1b[J\x1b[31mred\x1b[0;0m\x1b[4;3H\n');
  assert.equal(kernel.stdout, interp.stdout);
});

test('warn() in a kernel handler: one WARNING line on stderr (repeats dropped, as stap), output untouched', async () => {
  const r = await runTstap(['-c', workload('kill0 3'), script(`probe syscall.kill { if (pid() == target()) { warn(sprintf("sig %d", sig)); println("out") } }`)]);
  assert.equal(r.stdout, 'out\n'.repeat(3));
  assert.equal(r.stderr, 'WARNING: sig 0\n');
  assert.equal(r.rc, 0);
});

test('$return in syscall return probes (stap\'s name) is the tracepoint\'s return value', async () => {
  const r = await runTstap(['-c', workload('openat /nonexistent/ret 2'), script(`
probe syscall.openat.return { if (pid() == target() && $return == -2) printf("%d %d %d\\n", $return, retval, @defined($return)) }
`)]);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^(-2 -2 1\n){2,}$/);
});
