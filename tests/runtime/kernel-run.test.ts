// Kernel probes for real: scripts compiled to eBPF, attached on this kernel, driven by a
// workload that makes exactly N known system calls (tests/workloads/syscalls.ts).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

test('counts exactly N kill(2) calls of the -c command, with tracepoint fields', async () => {
  const r = await runTstap(['-c', workload('kill0 777'), script(`
global n, sigs
probe kernel.trace("syscalls:sys_enter_kill") {
  if (pid() == target()) { n++; sigs[$sig] <<< $pid }
}
probe end { printf("%d %d %d\\n", n, @count(sigs[0]), @min(sigs[0]) == target()) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '777 777 1\n');
  assert.equal(r.rc, 0);
});

test('printf in a kernel handler: one line per event, in order', async () => {
  const r = await runTstap(['-c', workload('kill0 50'), script(`
global i
probe kernel.trace("syscalls:sys_enter_kill") {
  if (pid() == target()) printf("kill #%d sig=%d self=%d %s\\n", ++i, $sig, $pid == target(), execname())
}
`)]);
  assert.equal(r.stderr, '');
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 50);
  lines.forEach((l, k) => assert.equal(l, `kill #${k + 1} sig=0 self=1 node`));
});

test('getppid: exactly N calls after the workload\'s marker, two probes sharing a global', async () => {
  const r = await runTstap(['-c', workload('getppid 1000'), script(`
global armed, n
probe kernel.trace("syscalls:sys_enter_kill") { if (pid() == target() && $sig == 0) armed = 1 }
probe kernel.trace("syscalls:sys_enter_getppid") { if (armed && pid() == target()) n++ }
probe end { printf("%d\\n", n) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '1000\n');
  assert.equal(r.rc, 0);
});

test('statistics and a histogram written by a kernel handler', async () => {
  const r = await runTstap(['-c', workload('kill0 100'), script(`
global s
probe kernel.trace("syscalls:sys_enter_kill") { if (pid() == target()) s <<< 5 }
probe end { printf("%d %d %d %d %d\\n", @count(s), @sum(s), @min(s), @max(s), @avg(s)); print(@hist_log(s)) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout,
    '100 500 5 5 5\n' +
    'value |-------------------------------------------------- count\n' +
    '    1 |                                                     0\n' +
    '    2 |                                                     0\n' +
    '    4 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ 100\n' +
    '    8 |                                                     0\n' +
    '   16 |                                                     0\n' +
    '\n');
});

test('a run-time error in a kernel handler is reported as stap does', async () => {
  const f = script(`
probe kernel.trace("syscalls:sys_enter_kill") { if (pid() == target()) printf("%d\\n", 10 / $sig) }
`);
  const r = await runTstap(['-c', workload('kill0 3'), f]);
  assert.equal(r.rc, 1);
  assert.match(r.stderr, new RegExp(`^ERROR: division by 0 near operator '/' at ${f.replace(/[/.]/g, '\\$&')}:2:90\n`));
  assert.match(r.stderr, /WARNING: Number of errors: 1, skipped probes: 0\n/);
});

test('sched_switch through tp_btf: BTF-typed $next->pid and execname() keys', async () => {
  const r = await runTstap(['-e', `
global c, pids
probe kernel.trace("sched:sched_switch") { c[execname()]++; pids <<< $next->pid }
probe timer.ms(300) {
  n = 0
  foreach (k in c- limit 3) n++
  printf("%d %d\\n", n > 0, @count(pids) > 0)
  exit()
}`]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '1 1\n');
  assert.equal(r.rc, 0);
});

test('loops and script functions (inlined) in a kernel handler', async () => {
  const r = await runTstap(['-c', workload('kill0 10'), script(`
global total, parity
function evens:long (n:long) {
  s = 0
  for (i = 1; i <= n; i++) {
    if (i % 2) continue
    s += i
  }
  return s
}
function classify:string (x:long) { return x % 2 ? "odd" : "even" }
probe kernel.trace("syscalls:sys_enter_kill") {
  if (pid() != target()) next
  total += evens(10)
  k = 0
  while (1) { if (++k > 3) break }
  parity[classify(k)]++
}
probe end { printf("%d %d %d\\n", total, parity["even"], parity["odd"]) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '300 10 0\n');
});

test('an endless loop in a kernel handler stops at MAXACTION', async () => {
  const f = script(`probe kernel.trace("syscalls:sys_enter_kill") { if (pid() == target()) { n = 0; while (1) n++ } }
`);
  const r = await runTstap(['-c', workload('kill0 1'), f]);
  assert.equal(r.rc, 1);
  assert.match(r.stderr, /^ERROR: MAXACTION exceeded near identifier 'n' at .*:1:91\n/);
});

test('strings in a kernel handler: comparison, ordering, concatenation, .=', async () => {
  const r = await runTstap(['-c', workload('kill0 4'), script(`
global seen, order
probe kernel.trace("syscalls:sys_enter_kill") {
  if (pid() != target()) next
  name = execname()
  if (name == "node") seen["is node"]++
  if (name != "bash") seen["not bash"]++
  if ("abc" < "abd" && "b" > "abc" && "x" <= "x" && !("a" >= "b")) order++
  tag = name . ":" . "kill"
  tag .= "!"
  seen[tag]++
}
probe end { foreach (k+ in seen) printf("%s=%d\\n", k, seen[k]); printf("order=%d\\n", order) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'is node=4\nnode:kill!=4\nnot bash=4\norder=4\n');
});

test('gettimeofday_s() and ppid() in a kernel handler', async () => {
  const r = await runTstap(['-c', workload('kill0 1'), script(`
global t, parent
probe kernel.trace("syscalls:sys_enter_kill") { if (pid() == target()) { t = gettimeofday_s(); parent = ppid() } }
probe end { printf("%d %d\\n", gettimeofday_s() - t <= 2 && t > 1700000000, parent == stp_pid()) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '1 1\n');
});

test('print_backtrace() in a kernel handler: the syscall entry path, symbolized', async () => {
  const r = await runTstap(['-c', workload('kill0 1'), script(`
probe kernel.trace("syscalls:sys_enter_kill") { if (pid() == target()) print_backtrace() }
`)]);
  assert.equal(r.stderr, '');
  const frames = r.stdout.trimEnd().split('\n');
  assert.ok(frames.length >= 2, r.stdout);
  for (const f of frames) assert.match(f, /^ 0x[0-9a-f]+ : \w+\+0x[0-9a-f]+\/0x[0-9a-f]+ \[kernel\]$/);
  assert.ok(frames.some((f) => / : do_syscall_64\+/.test(f)), r.stdout);
});

test('kernel.function: fentry/fexit chosen by feature probe; on a kernel that forbids them, a clear error', async (t) => {
  const p3 = await runTstap(['-p3', '-e', 'global n; probe kernel.function("vfs_read").return { if ($return > 0) n += $count }']);
  assert.equal(p3.rc, 0);
  assert.match(p3.stdout, /^# tstap\d+_0: function vfs_read \(return\)\n/);
  const r = await runTstap(['-e', 'global n; probe kernel.function("vfs_read") { n += $count } probe timer.ms(100) { exit() }']);
  if (r.rc === 0) {
    t.diagnostic('fentry is allowed on this kernel: the probe ran');
    return;
  }
  assert.match(r.stderr, /^ERROR: cannot probe kernel\.function\("vfs_read"\): not available on this kernel: fentry programs \(needs Linux 5\.5/);
  assert.match(r.stderr, /Pass 5: run failed\.  \[man error::pass5\]\n$/);
});

test('timer.profile and perf.sw.* sample on every CPU; perf.hw.* without a PMU is a clear error', async () => {
  const prof = await runTstap(['-e', 'global n; probe timer.profile { n++ } probe timer.ms(500) { printf("%d\\n", n > 10); exit() }']);
  assert.equal(prof.stderr, '');
  assert.equal(prof.stdout, '1\n');
  const sw = await runTstap(['-c', workload('kill0 1'), '-e', 'global n; probe perf.sw.page_faults.sample(1) { if (pid() == target()) n++ } probe end { printf("%d\\n", n > 0) }']);
  assert.equal(sw.stderr, '');
  assert.equal(sw.stdout, '1\n');
  const hw = await runTstap(['-e', 'global n; probe perf.hw.cpu_cycles { n++ } probe timer.ms(100) { exit() }']);
  if (hw.rc !== 0) assert.match(hw.stderr, /^ERROR: not available on this kernel: perf\.hw\.cpu_cycles \(no hardware PMU; perf_event_open returned ENOENT\)\n/);
});

test('user memory and string functions in a kernel handler: openat of a known path', async () => {
  const r = await runTstap(['-c', workload('openat /etc/hostname 3'), '-e', `
global f
probe kernel.trace("syscalls:sys_enter_openat") {
  if (pid() == target()) { s = user_string($filename); f[s, strlen(s), substr(s, 1, 3), user_string_n($filename, 4)]++ }
}
probe end { foreach ([a, b, c, d] in f) if (a == "/etc/hostname") printf("%s %d %s %s %d\\n", a, b, c, d, f[a, b, c, d]) }`]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '/etc/hostname 13 etc /etc 3\n');
});

test('string-valued arrays in a kernel handler: =, .=, read back, missing elements read ""', async () => {
  const r = await runTstap(['-c', workload('kill0 3'), script(`
global names, last, n
probe kernel.trace("syscalls:sys_enter_kill") {
  if (pid() == target()) {
    names[$sig, ++n] = execname()
    names[$sig, n] .= "!"
    last = names[$sig, n]
    printf("%s [%s] %d\\n", names[$sig, n], names[$sig, 99], [$sig, 99] in names)
  }
}
probe end { foreach ([s, i+] in names) printf("%d %d %s %s\\n", s, i, names[s, i], last) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'node! [] 0\n'.repeat(3) + '0 1 node! node!\n0 2 node! node!\n0 3 node! node!\n');
  assert.equal(r.rc, 0);
});

test('try/catch in a kernel handler: the catch variable gets the message, nesting and rethrow work', async () => {
  const r = await runTstap(['-c', workload('kill0 2'), script(`
global n, zero
function risky(d) { return 10 / d }
probe kernel.trace("syscalls:sys_enter_kill") {
  if (pid() == target()) {
    try { n += risky(zero); printf("not reached\\n") } catch (msg) { printf("caught [%s]\\n", msg) }
    try { error("boom") } catch { printf("caught silently\\n") }
    try { try { error("inner") } catch (m) { printf("inner %s\\n", m); error("rethrown") } } catch (m2) { printf("outer %s\\n", m2) }
  }
}
probe end { println(n) }
`)]);
  assert.equal(r.stdout, 'caught [division by 0]\ncaught silently\ninner inner\nouter rethrown\n'.repeat(2) + '0\n');
  assert.equal(r.rc, 0);
});

test('@variance of a statistic a kernel probe feeds (kernel-stats.test.ts has more); under --runtime=bpf too', async () => {
  const kernel = await runTstap(['-c', workload('kill0 4'), '-e', 'global s; probe kernel.trace("syscalls:sys_enter_kill") { if (pid() == target()) s <<< 3 } probe end { println(@variance(s)) }']);
  assert.equal(kernel.stderr, '');
  assert.equal(kernel.stdout, '0\n');
  const bpf = await runTstap(['--runtime=bpf', '-e', 'global s; probe begin { s <<< 1; s <<< 5; exit() } probe end { println(@variance(s)) }']);
  assert.equal(bpf.stdout, '8\n');
  assert.equal(bpf.rc, 0);
});

test('statistics read inside a kernel handler merge every CPU; an empty one is stap\'s "empty aggregate"', async () => {
  const r = await runTstap(['-c', workload('kill0 3'), script(`
global s, a, e
probe kernel.trace("syscalls:sys_enter_kill") {
  if (pid() == target()) {
    s <<< $sig + 3; a[$sig] <<< 10; a[$sig] <<< 21
    printf("%d %d %d %d %d | %d %d %d %d\\n", @count(s), @sum(s), @min(s), @max(s), @avg(s), @count(a[0]), @avg(a[0]), @max(a[0]), @count(a[9]))
    if (@count(s) == 3) printf("%d\\n", @min(e))
  }
}
`)]);
  assert.equal(r.stdout, '1 3 3 3 3 | 2 15 21 0\n2 6 3 3 3 | 4 15 21 0\n3 9 3 3 3 | 6 15 21 0\n');
  assert.match(r.stderr, /^WARNING: never-assigned global variable 'e'[^]*\nERROR: empty aggregate near operator '@min' at \S+:7:40\n/);
  assert.equal(r.rc, 1);
});

test('error() with a computed message in a kernel handler: caught, or reported as stap does', async () => {
  const r = await runTstap(['-c', workload('kill0 3'), script(`
global n
probe kernel.trace("syscalls:sys_enter_kill") {
  if (pid() == target()) {
    n++
    try { error("caught " . execname()) } catch (m) { printf("[%s]\\n", m) }
    if (n == 2) error("bad call #" . "2 by " . execname())
  }
}
`)]);
  assert.equal(r.stdout, '[caught node]\n[caught node]\n');
  assert.equal(r.stderr, 'ERROR: bad call #2 by node\nWARNING: Number of errors: 1, skipped probes: 0\n' +
    'WARNING: /usr/bin/staprun exited with status: 1\nPass 5: run failed.  [man error::pass5]\n');
  assert.equal(r.rc, 1);
});

test('delete of scalars, locals and statistics in a kernel handler', async () => {
  const r = await runTstap(['-c', workload('kill0 2'), script(`
global n, s, st
probe kernel.trace("syscalls:sys_enter_kill") {
  if (pid() == target()) {
    n += 5; s = execname(); st <<< 7; st <<< 9; l = 4; ls = "x"
    printf("%d %s %d %d %d %s\\n", n, s, @count(st), @sum(st), l, ls)
    delete n; delete s; delete st; delete l; delete ls
    printf("%d [%s] %d %d %d [%s]\\n", n, s, @count(st), @sum(st), l, ls)
  }
}
probe end { printf("end %d %d\\n", n, @count(st)) }
`)]);
  assert.equal(r.stdout, '5 node 2 16 4 x\n0 [] 0 0 0 []\n'.repeat(2) + 'end 0 0\n');
  assert.equal(r.rc, 0);
});

test('sprintf in a kernel handler: flags, widths, d u x X c s, formatted as the interpreter does', async () => {
  const r = await runTstap(['-c', workload('kill0 1'), script(`
probe kernel.trace("syscalls:sys_enter_kill") {
  if (pid() == target()) {
    s = sprintf("%d|%5d|%-5d|%05d|%+d|% d|%x|%X|%8x|%c|1%%", $sig - 7, 42, 42, 42, 42, 42, 255, 255, 4096, 65)
    printf("%s\\n", s)
    printf("%s\\n", sprintf("[%s|%-6s|%6s|%u]", execname(), "ab", "cd", -1))
    printf("[%s][%s][%s][%s]\\n", sprint($sig, "a", 7), sprintln(execname()), sprintd("-", 1, "b", 2), sprintdln("%", 5, 6))
  }
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '-7|   42|42   |00042|+42| 42|ff|FF|    1000|A|1%\n[node|ab    |    cd|18446744073709551615]\n' +
    '[0a7][node\n][1-b-2][5%6\n]\n');
});

test('isinstr in a kernel handler (bpf_strstr kfunc) agrees with the interpreter', async () => {
  const r = await runTstap(['-c', workload('kill0 1'), script(`
probe kernel.trace("syscalls:sys_enter_kill") {
  if (pid() == target())
    printf("%d %d %d %d %d %d\\n", isinstr(execname(), "od"), isinstr(execname(), "x"), isinstr(execname(), ""), isinstr("", ""), isinstr("abc", "abcd"), isinstr("aab", "ab"))
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '1 0 1 1 0 1\n');
});

// ---- foreach in kernel handlers ------------------------------------------------------------
// Each script runs its loops inside a kernel probe on the Nth event; the expected output is
// the interpreter's for the same statements (insertion order, stap's stable sorts, the
// in-place reordering a sorted loop leaves behind).

test('foreach in a kernel handler: insertion order, sorts with limit, multi-key, slices, statistics', async () => {
  const r = await runTstap(['-c', workload('kill0 20'), script(`
global n, a, t, s
probe kernel.trace("syscalls:sys_enter_kill") {
  if (pid() != target()) next
  n++
  a[n % 7] += n
  t[n % 3, n % 2 ? "odd" : "even"]++
  s[n % 4] <<< n * 10
  if (n == 20) {
    foreach (k in a) printf("%d ", k); println("")
    foreach (k in a- limit 3) printf("%d=%d ", k, a[k]); println("")
    foreach (k in a) printf("%d ", k); println("")
    foreach ([x, y] in t) printf("%d,%s:%d ", x, y, t[x, y]); println("")
    foreach (v = [x, y] in t+ limit 4) printf("%s%d=%d ", y, x, v); println("")
    foreach ([x, y-] in t) printf("%d%s ", x, y); println("")
    foreach ([x, y] in t[1, *]) printf("%d%s ", x, y); println("")
    foreach (k in s @sum-) printf("%d:%d/%d/%d/%d ", k, @count(s[k]), @sum(s[k]), @min(s[k]), @max(s[k])); println("")
    foreach (k+ in s limit 2) printf("%d:%d ", k, @avg(s[k])); println("")
    foreach (k in a) { if (k == 2) continue; if (k == 5) break; printf("%d ", k) } println("")
  }
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, [
    '1 2 3 4 5 6 0 ',
    '6=39 5=36 4=33 ',
    '6 5 4 3 2 1 0 ',
    '1,odd:4 2,even:4 0,odd:3 1,even:3 2,odd:3 0,even:3 ',
    'odd0=3 even1=3 odd2=3 even0=3 ',
    '0odd 2odd 1odd 1even 0even 2even ',
    '1odd 1even ',
    '0:5/600/40/200 3:5/550/30/190 2:5/500/20/180 1:5/450/10/170 ',
    '0:120 1:90 ',
    '6 ',
    '',
  ].join('\n'));
  assert.equal(r.rc, 0);
});

test('foreach in a kernel handler: return from a function, try/catch, next, an uncaught error()', async () => {
  const r = await runTstap(['-c', workload('kill0 8'), script(`
global n, a
function first_big(lim) { foreach (k+ in a) if (a[k] > lim) return k; return -1 }
probe kernel.trace("syscalls:sys_enter_kill") {
  if (pid() != target()) next
  n++
  a[n] = n * n
  if (n == 5) {
    printf("%d %d\\n", first_big(10), first_big(100))
    try { foreach (k in a) if (k == 3) error("boom at " . sprint(k)) } catch (m) { println(m) }
    foreach (k in a) { if (k == 2) next; printf("once %d\\n", k) }
  }
  if (n == 6) {
    foreach (k in a) printf("%d ", k)
    println("")
    foreach (k in a) if (k == 4) error("stop " . sprint(k))
  }
}
`)]);
  assert.equal(r.stdout, '4 -1\nboom at 3\nonce 1\n1 2 3 4 5 6 \n');
  assert.equal(r.stderr, 'ERROR: stop 4\nWARNING: Number of errors: 1, skipped probes: 0\nWARNING: /usr/bin/staprun exited with status: 1\nPass 5: run failed.  [man error::pass5]\n');
  assert.equal(r.rc, 1);
});

test('foreach in a kernel handler: MAXACTION counts one action per iteration, as stap', async () => {
  const r = await runTstap(['-c', workload('kill0 1'), script(`
global a
probe begin { for (i = 0; i < 600; i++) a[i] = i }
probe kernel.trace("syscalls:sys_enter_kill") {
  if (pid() != target()) next
  foreach (k in a) { n++ }
  printf("%d\\n", n)
}
`)]);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^ERROR: MAXACTION exceeded near /);
  assert.equal(r.rc, 1);
});

/** max_entries of the ring buffers this process holds while `run` is under way (fdinfo). */
async function ringSizes(start: () => Promise<unknown>): Promise<Set<number>> {
  // Only fds opened by this run: an earlier test's maps may still be closing.
  const before = new Set(fs.readdirSync('/proc/self/fdinfo'));
  const run = start();
  const seen = new Set<number>();
  let done = false;
  void run.finally(() => { done = true; });
  while (!done) {
    for (const fd of fs.readdirSync('/proc/self/fdinfo')) {
      if (before.has(fd)) continue;
      try {
        const info = fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1');
        if (/^map_type:\s+27$/m.test(info)) seen.add(Number(/^max_entries:\s+(\d+)$/m.exec(info)![1]));
      } catch { /* closed meanwhile */ }
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return seen;
}

test('the ring buffer is 16 MiB when kernel handlers print, 256 KiB when they only count (cheaper to create)', async () => {
  const quiet = await ringSizes(() => runTstap(['-c', 'sleep 0.3', '-e', 'global n; probe kernel.trace("syscalls:sys_enter_getppid") { n++; if (n > 1000000) exit() }']));
  assert.deepEqual([...quiet], [1 << 18]);
  const loud = await ringSizes(() => runTstap(['-c', 'sleep 0.3', '-e', 'probe kernel.trace("syscalls:sys_enter_getppid") { if (pid() == target()) printf("%d\\n", pid()) }']));
  assert.deepEqual([...loud], [1 << 24]);
});

test('-c: target() is the command\'s pid already in begin probes (as stap); a run that fails to load never runs it', async () => {
  const r = await runTstap(['-c', workload('getppid 1'), '-e', `global b
probe begin { b = target() }
probe kernel.trace("syscalls:sys_enter_getppid") { if (pid() == target()) printf("%d\\n", pid() == b && b > 0) }`]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '1\n');
  const marker = path.join(path.dirname(script('')), 'ran');
  // A loop the verifier must walk a million times: refused by any kernel (1M instructions).
  const bad = await runTstap(['-D', 'MAXACTION=3000000', '-c', `touch ${marker}`, '-e',
    'global n; probe kernel.trace("syscalls:sys_enter_getppid") { for (i = 0; i < 1000000; i++) n++ }']);
  assert.match(bad.stderr, /Pass 5: run failed/);
  await new Promise((res) => setTimeout(res, 200));
  assert.equal(fs.existsSync(marker), false);
  const early = await runTstap(['-c', `touch ${marker}`, '-e', 'global n; probe begin { exit() } probe kernel.trace("syscalls:sys_enter_getppid") { n++ }']);
  assert.equal(early.stderr, '');
  await new Promise((res) => setTimeout(res, 200));
  assert.equal(fs.existsSync(marker), false);
});

test('overloaded functions in kernel handlers: `next` goes on to the next overload, past the last "all functions exhausted", as the interpreter', async () => {
  const fns = `
function f(x) { if (x < 0) next; return x * 10 }
function f(x) { if (x == 0) next; x = x * 2; return -x }
function f(x) { return 99 }
function g:string (s:string) { if (s == "a") next; return "g1:" . s }
function g:string (s:string) { return "g2:" . s }
function h(x) { if (x) next; return 1 }`;
  const body = 'printf("%d %d %d %s %s %d\\n", f(5), f(-3), f(0), g("a"), g("b"), h(0)); println(h(1))';
  const kernel = await runTstap(['-c', workload('getppid 1'), '-e', `${fns}
probe kernel.trace("syscalls:sys_enter_getppid") { if (pid() == target()) { ${body} } }`]);
  const interp = await runTstap(['-e', `${fns}\nprobe begin { ${body} }`]);
  assert.equal(interp.stdout, '50 6 0 g2:a g1:b 1\n');
  assert.equal(kernel.stdout, interp.stdout);
  assert.match(kernel.stderr, /^ERROR: all functions exhausted near identifier 'h' at <input>:\d+:\d+$/m);
  assert.match(interp.stderr, /^ERROR: all functions exhausted near identifier 'h' at <input>:\d+:\d+$/m);
});

test('kernel.function through kprobes (kernels without fentry): arguments from pt_regs, $return at the kretprobe; a clear error where kprobes are missing', async () => {
  const before = process.env['TSTAP_FUNCTION_ATTACH'];
  process.env['TSTAP_FUNCTION_ATTACH'] = 'kprobe';
  try {
    const script = 'probe kernel.function("vfs_read") { printf("%d %d\\n", $count, $file->f_flags) } probe kernel.function("vfs_read").return { printf("%d\\n", $return) }';
    const p3 = await runTstap(['-p3', '-e', script]);
    assert.equal(p3.stderr, '');
    const [entry, ret] = p3.stdout.split(/^# /m).slice(1);
    assert.match(entry!, /^tstap\d+_0: kprobe vfs_read \(kprobe\)\n/);
    // x86_64: count is the third argument (dx, pt_regs+96), file the first (di, +112).
    if (process.arch === 'x64') {
      assert.match(entry!, /r3 \+= 96\n/);
      assert.match(entry!, /r0 = \*\(u64 \*\)\(r6 \+112\)\n/);
      assert.match(ret!, /^tstap\d+_1: kprobe vfs_read \(kretprobe\)\n[\s\S]*r3 \+= 80\n/);
    }
    // Where kprobes work this attaches for real: one event is enough.
    const run = await runTstap(['-e', `${script} probe kernel.function("vfs_read").return { exit() }`]);
    if (!fs.existsSync('/sys/bus/event_source/devices/kprobe')) {
      assert.match(run.stderr, /^ERROR: cannot probe kernel.function\("vfs_read"\) with a kprobe: no kprobe PMU/m);
    }
  } finally {
    if (before === undefined) delete process.env['TSTAP_FUNCTION_ATTACH'];
    else process.env['TSTAP_FUNCTION_ATTACH'] = before;
  }
});
