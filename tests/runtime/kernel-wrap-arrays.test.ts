// `%` arrays (wrap-around) in kernel handlers against the interpreter (the reference, as stap):
// a new key stored into a full array evicts the entry first in iteration order (the lowest
// insertion number; a sorted foreach over the whole array renumbers), an update of an existing
// key evicts nothing; arrays without `%` still overflow with stap's error. Kernel probes on a
// workload's calls, begin/end handlers compiled with --runtime=bpf and user-space handlers
// writing into the kernel's maps must print what the interpreter prints for the same script.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

/** What one event does: every kind of store into `%` arrays (long, string values; 1 and 2 keys). */
const HIT = `
global a%[3], b%[4], d%[2], s%[2], c%, n, top
function hit() {
  n++
  a[n] = n * 10                        # a new key: evicts once a holds 3
  if (n % 4 == 0) a[n - 3] += 1        # a key evicted before: new again, evicts
  if (n % 3 == 0) a[n - 1] += 100      # an existing key: evicts nothing
  b[n % 6] += n                        # += on new and existing keys
  d[n / 3]++                           # ++ on new and existing keys
  s[sprintf("k%d", n / 2)] .= "v"      # .= on new and existing keys
  c[sprintf("x%d", n % 7), n % 2] = n  # MAXMAPENTRIES entries (-D below)
  if (n == 6) foreach (k in b- limit 1) top = k  # sorted: b renumbered by value
}
`;

/**
 * Prints the arrays, then stores new keys from an end handler, which says where it ran (under
 * --runtime=bpf, a handler the verifier refused would run in the interpreter and pass).
 */
const END = `
probe end {
  println(execname() == "stapio" ? "end: interpreter" : "end: eBPF")  # execname() tells
  printf("top %d\\n", top)
  foreach (k in a) printf("a[%d]=%d\\n", k, a[k])
  foreach (k in b) printf("b[%d]=%d\\n", k, b[k])
  foreach (k in d) printf("d[%d]=%d\\n", k, d[k])
  foreach (w in s) printf("s[%s]=%s\\n", w, s[w])
  foreach ([x, y] in c) printf("c[%s,%d]=%d\\n", x, y, c[x, y])
  foreach (k in a+) printf("a+ %d\\n", k)
  a[1000] = 1; b[1000] += 2; d[1000]++; s["new"] .= "x"; c["new", 0] = 1
  foreach (k in a) printf("%d ", k)
  foreach (k in b) printf("%d ", k)
  foreach (k in d) printf("%d ", k)
  foreach (w in s) printf("%s ", w)
  foreach ([x, y] in c) printf("%s/%d ", x, y)
  println("")
}
`;

const KERNEL_PROBE = 'probe kernel.trace("syscalls:sys_enter_kill") { if (pid() == target()) hit() }\n';
/** The interpreter's run of the same events: `n` calls of hit() from a begin probe. */
const reference = (n: number) => `probe begin { for (i = 0; i < ${n}; i++) hit(); exit() }\n`;

/** Lines of -v saying a handler was left to the interpreter. */
const interpreted = (stderr: string) => stderr.split('\n').filter((l) => l.includes('runs in the interpreter'));

test('`%` arrays filled by a kernel probe: what the interpreter keeps, end handlers in user space and in eBPF', { timeout: 120_000 }, async () => {
  const opts = ['-D', 'MAXMAPENTRIES=4'];
  const interp = await runTstap([...opts, script(HIT + reference(10) + END)]);
  assert.equal(interp.stderr, '');
  assert.equal(interp.rc, 0);
  // The reference itself. a: 8 evicts 5, which the `+=` at 8 brings back as a new key,
  // evicting 6; 8 takes its +100 at 9 without evicting; 10 evicts 8. b: at 6 the
  // sorted loop puts 0 (6), 5, 4, 3 in that order, so 7 and 8 evict 0 and 5, and 9 and 10 add
  // to 3 and 4 (in insertion order 3, 4, 5, 0 they would have evicted 3 and 4 instead).
  assert.match(interp.stdout, /^end: interpreter\ntop 0\na\[5\]=1\na\[9\]=90\na\[10\]=100\nb\[4\]=14\nb\[3\]=12\nb\[1\]=7\nb\[2\]=8\nd\[2\]=3\nd\[3\]=2\ns\[k4\]=vv\ns\[k5\]=v\n/);
  const kernelFile = script(HIT + KERNEL_PROBE + END);
  const kernel = await runTstap([...opts, '-c', workload('kill0 10'), kernelFile]);
  assert.equal(kernel.stderr, '');
  assert.equal(kernel.stdout, interp.stdout);
  assert.equal(kernel.rc, 0);
  const bpf = await runTstap([...opts, '--runtime=bpf', '-v', '-c', workload('kill0 10'), kernelFile]);
  assert.deepEqual(interpreted(bpf.stderr), []);
  assert.equal(bpf.stdout, interp.stdout.replace('end: interpreter', 'end: eBPF'));
  assert.equal(bpf.rc, 0);
});

test('without `%`, a full array is still stap\'s overflow error in a kernel probe', { timeout: 60_000 }, async () => {
  for (const [decl, opts] of [['z[3]', []], ['z', ['-D', 'MAXMAPENTRIES=3']]] as const) {
    const body = `global ${decl}, n\nfunction hit() { n++; z[n] = n }\n`;
    const tail = 'probe end { printf("%d %d\\n", n, z[3]) }\n';
    const refFile = script(body + reference(5) + tail);
    const interp = await runTstap([...opts, refFile]);
    const kernelFile = script(body + KERNEL_PROBE + tail);
    const kernel = await runTstap([...opts, '-c', workload('kill0 5'), kernelFile]);
    assert.match(interp.stderr, /^ERROR: Array overflow, check (size limit \(3\)|MAXMAPENTRIES) near identifier 'z' at /);
    assert.equal(kernel.stderr.replaceAll(kernelFile, 'F'), interp.stderr.replaceAll(refFile, 'F'));
    assert.equal(kernel.stdout, interp.stdout);
    assert.equal(kernel.rc, 1);
  }
});

/**
 * One handler's cases: updates, ++/+=/.= on new keys, sorted loops, stores from inside a
 * foreach body (a callback, on the handler's frame), `%` of MAXMAPENTRIES, overflow caught.
 */
const CASES = `
global a%[3], s%[4], m%[3], c%, b, t%[2], z[2]
function dump(tag) {
  printf("%s:", tag); foreach (k in a) printf(" %d=%d", k, a[k]); println("")
}
function cases() {
  for (i = 1; i <= 10; i++) a[i] = i * i
  dump("fill")
  a[9] = 0
  dump("update")
  a[11]++
  dump("++")
  a[12] += 5
  dump("+=")
  foreach (k in a- limit 1) printf("top %d\\n", k)
  dump("sorted")
  a[13] = 1
  dump("after sort")
  for (i = 1; i <= 4; i++) b[i] = i
  foreach (k in b) a[k + 100] = k
  dump("from foreach")
  for (i = 0; i < 7; i++) s[sprintf("key%d", i), i] .= sprintf("v%d", i)
  foreach ([x, y] in s) printf("%s,%d=%s\\n", x, y, s[x, y])
  for (i = 0; i < 6; i++) { m[i] = i; delete m[1] }
  foreach (k in m) printf("m %d\\n", k)
  for (i = 0; i < 8; i++) c[i] = i
  foreach (k in c) printf("c %d\\n", k)
  foreach (k in b) t[k] .= "x"
  foreach (k in t) printf("t %d=%s\\n", k, t[k])
  try { z[1] = 1; z[2] = 2; z[3] = 3 } catch (e) { println("caught: ", e) }
}
`;

for (const maxLen of [512, 24]) {
  // Keys of s are a string and a long: copied by a helper call at 512, inline at 24. A kernel
  // probe, not --runtime=bpf: a begin handler the verifier refused would quietly run in the
  // interpreter and pass.
  test(`\`%\` arrays in a kernel probe (MAXSTRINGLEN=${maxLen}), as the interpreter`, { timeout: 60_000 }, async () => {
    const opts = ['-D', 'MAXMAPENTRIES=5', '-D', `MAXSTRINGLEN=${maxLen}`];
    const interp = await runTstap([...opts, script(CASES + 'probe begin { cases(); exit() }\n')]);
    assert.equal(interp.stderr, '');
    assert.match(interp.stdout, /^fill: 8=64 9=81 10=100\nupdate: 8=64 9=0 10=100\n\+\+: 9=0 10=100 11=1\n/);
    assert.match(interp.stdout, /^from foreach: 102=2 103=3 104=4$/m);
    assert.match(interp.stdout, /^caught: Array overflow, check s/m); // cut at MAXSTRINGLEN
    const kernel = await runTstap([...opts, '-c', workload('kill0 1'), script(CASES + KERNEL_PROBE.replace('hit()', 'cases()'))]);
    assert.equal(kernel.stderr, '');
    assert.equal(kernel.stdout, interp.stdout);
  });
}

test('a `%` array costs nothing more until it is full: the same instructions up to the insert', async () => {
  const listing = async (decl: string) => {
    const r = await runTstap(['-p3', '-e', `global ${decl} probe kernel.trace("syscalls:sys_enter_kill") { a[$pid]++ }`]);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n').filter((l) => /^\d+: /.test(l)).map((l) => l.replace(/pc[+-]\d+/, 'pc+N'));
    return lines.slice(0, lines.findIndex((l) => l.includes('call bpf_map_update_elem')) + 2);
  };
  const plain = await listing('a[3]');
  assert.ok(plain.length > 10);
  assert.deepEqual(await listing('a%[3]'), plain);
});

test('a `%` array under contention: both CPUs evicting at once never overflow', { timeout: 60_000 }, async () => {
  // Every syscall of the machine stores a new key while two processes make syscalls flat out.
  const busy = workload('getppid 300000');
  const r = await runTstap(['-c', `sh -c '${busy} & ${busy}; wait'`, '-e', `
global a%[3], n
probe kernel.trace("raw_syscalls:sys_enter") { a[local_clock_ns(), cpu()] = 1; n++ }
probe end { k = 0; foreach ([t, c] in a) k++; printf("%d %d\\n", k, n > 100000) }
`]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '3 1\n');
});

test('a timer handler (user space) stores into a `%` array that a probe on every syscall fills', { timeout: 60_000 }, async () => {
  // The probe inserts before each of tstap's own syscalls, so it takes the room every eviction
  // from user space makes: the store is done once as many newer entries went in as a holds.
  const r = await runTstap(['-e', `
global a%[3], n, u
probe kernel.trace("raw_syscalls:sys_enter") { a[local_clock_ns(), cpu()] = 1; n++ }
probe timer.ms(2) { a[-1, u++] = 2; if (u == 50) exit() }
probe end { k = 0; foreach ([t, c] in a) k++; printf("%d %d %d\\n", k, u, n > 100) }
`]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '3 50 1\n');
});

test('`%` statistics arrays: a kernel probe\'s first `<<<` of a key evicts as the interpreter does', { timeout: 120_000 }, async () => {
  // Insertion numbers live in the inserting CPU's copy of a per-CPU value; a sorted loop over a
  // statistics array does not renumber it (as in stap): 1000 and 1001 evict 0 and 1, though
  // the loop put 2 first.
  const stats = `
global s%[3], h%[2], n
function hit() {
  n++
  s[n % 5] <<< n
  h[sprintf("k%d", n / 3), n % 2] <<< n
}
`;
  const end = `
probe end {
  println(execname() == "stapio" ? "end: interpreter" : "end: eBPF")
  foreach (k in s) printf("s[%d] %d %d %d %d\\n", k, @count(s[k]), @sum(s[k]), @min(s[k]), @max(s[k]))
  foreach ([x, y] in h) printf("h[%s,%d] %d %d\\n", x, y, @count(h[x, y]), @sum(h[x, y]))
  foreach (k in s @sum- limit 1) printf("top %d\\n", k)
  s[1000] <<< 5; s[1001] <<< 6; h["new", 0] <<< 1
  foreach (k in s) printf("%d ", k)
  foreach ([x, y] in h) printf("%s/%d ", x, y)
  println("")
}
`;
  const interp = await runTstap([script(stats + reference(12) + end)]);
  assert.equal(interp.stderr, '');
  assert.equal(interp.stdout, 'end: interpreter\ns[0] 1 10 10 10\ns[1] 1 11 11 11\ns[2] 1 12 12 12\n' +
    'h[k3,0] 1 10\nh[k4,0] 1 12\ntop 2\n2 1000 1001 k4/0 new/0 \n');
  const kernelFile = script(stats + KERNEL_PROBE + end);
  const kernel = await runTstap(['-c', workload('kill0 12'), kernelFile]);
  assert.equal(kernel.stderr, '');
  assert.equal(kernel.stdout, interp.stdout);
  // The end handler's evictions in eBPF read the numbers the probe's CPU wrote: tstap on CPU
  // 0 (BPF_PROG_TEST_RUN runs where it is called), the workload on CPU 1 (if there is one).
  const run = () => runTstap(['--runtime=bpf', '-c', `taskset -c 1 ${workload('kill0 12')}`, kernelFile]);
  const bpf = os.cpus().length > 1 ? await onCpu0(run) : await runTstap(['--runtime=bpf', '-c', workload('kill0 12'), kernelFile]);
  assert.equal(bpf.stderr, '');
  assert.equal(bpf.stdout, interp.stdout.replace('end: interpreter', 'end: eBPF'));
});

/** Runs `f` with this process's threads on CPU 0, then gives them back their CPUs. */
async function onCpu0<T>(f: () => Promise<T>): Promise<T> {
  const pid = String(process.pid);
  const was = execFileSync('taskset', ['-c', '-p', pid], { encoding: 'utf8' }).trim().split(': ')[1]!;
  execFileSync('taskset', ['-a', '-c', '-p', '0', pid]);
  try {
    return await f();
  } finally {
    execFileSync('taskset', ['-a', '-c', '-p', was, pid]);
  }
}
