// print_ubacktrace() of processes that are gone when user space reads their records: each lives
// for microseconds (tests/workloads/fp-elf.ts: three frame-pointer frames, one system call,
// exit), while tstap drains its ring buffer every 10 ms. The frames must still come out with
// their exact function names, every time.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTstap } from '../corpus-runner.js';
import { script, withTempDir } from './kernel-fixtures.js';
import { koffiSys } from '../../src/runtime/sys/koffi-sys.js';
import { loadedProgramNames } from '../../src/runtime/kernel/inventory.js';
import { framePointerProgram, writeFramePointerProgram } from '../workloads/fp-elf.js';

const SCHED_YIELD = 24;

/** The three frames of a fp-elf program named `file` whose functions are `<p>_start`... */
const frames = (p: string, file: string) =>
  ` 0x400126 : ${p}_inner+0xb [${file}]\n 0x400119 : ${p}_outer+0x9 [${file}]\n 0x400107 : ${p}_start+0x7 [${file}]\n`;

const program = (p: string) => ({ start: `${p}_start`, outer: `${p}_outer`, inner: `${p}_inner`, syscall: SCHED_YIELD });

// The children of the -c shell, at the system call only the fp-elf programs make.
const STACKS = `probe kernel.trace("syscalls:sys_enter_sched_yield") { if (ppid() == target()) { println("--"); print_ubacktrace() } }`;

test('short-lived processes: every frame symbolized after they exited (12 binaries, each run twice)', withTempDir(async (dir) => {
  // Each binary has its own build ID and names: one process seen alive cannot help the others.
  const names = Array.from({ length: 12 }, (_, i) => `u${String(i).padStart(2, '0')}`);
  for (const n of names) writeFramePointerProgram(join(dir, `prog-${n}`), program(n));
  const runs = names.flatMap((n) => [n, n]);
  const r = await runTstap(['-c', `sh -c '${runs.map((n) => join(dir, `prog-${n}`)).join('; ')}'`, script(STACKS)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, runs.map((n) => `--\n${frames(n, `prog-${n}`)}`).join(''));
  assert.equal(r.rc, 0);
}));

test('short-lived processes: one binary 40 times in a loop, the same frames each time', withTempDir(async (dir) => {
  const prog = join(dir, 'loop-prog');
  writeFramePointerProgram(prog, program('lp'));
  const r = await runTstap(['-c', `sh -c 'i=0; while [ $i -lt 40 ]; do ${prog}; i=$((i+1)); done'`, script(STACKS)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, `--\n${frames('lp', 'loop-prog')}`.repeat(40));
  // The exec-path program (tstap<pid>_ex) went with the others.
  assert.deepEqual(loadedProgramNames(koffiSys()).filter((n) => n.startsWith(`tstap${process.pid % 100000}_`)), []);
}));

test('libc frames of exited processes: /bin/true exits in _exit', async () => {
  const r = await runTstap(['-c', `sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do /bin/true; done'`, script(
    `probe kernel.trace("syscalls:sys_enter_exit_group") { if (ppid() == target()) { println("--"); print_ubacktrace() } }`)]);
  assert.equal(r.stderr, '');
  const stacks = r.stdout.split('--\n').slice(1);
  assert.equal(stacks.length, 10, r.stdout);
  for (const s of stacks) assert.match(s, /^ 0x[0-9a-f]+ : _exit\+0x[0-9a-f]+ \[libc\.so\.6\]\n/);
});

test('a binary replaced after its process ran is never taken for the old one', withTempDir(async (dir) => {
  // Run prog (A), rename B over it, run it, overwrite it in place with C, run it. The records
  // are read after all that: A's and B's frames must not be named after the later files
  // (their build IDs differ); C's are exact.
  const prog = join(dir, 'prog');
  writeFramePointerProgram(prog, program('a'));
  writeFileSync(join(dir, 'b'), framePointerProgram(program('b')));
  chmodSync(join(dir, 'b'), 0o755);
  writeFileSync(join(dir, 'c'), framePointerProgram(program('c')));
  const cmd = `${prog}; mv ${join(dir, 'b')} ${prog}; ${prog}; cat ${join(dir, 'c')} > ${prog}; ${prog}`;
  const r = await runTstap(['-c', `sh -c '${cmd}'`, script(STACKS)]);
  assert.equal(r.stderr, '');
  const stacks = r.stdout.split('--\n').slice(1);
  assert.equal(stacks.length, 3, r.stdout);
  const hex = ' 0x400126 [unknown+0x126]\n 0x400119 [unknown+0x119]\n 0x400107 [unknown+0x107]\n';
  assert.ok(stacks[0] === frames('a', 'prog') || stacks[0] === hex, stacks[0]);
  assert.ok(stacks[1] === frames('b', 'prog') || stacks[1] === hex, stacks[1]);
  assert.equal(stacks[2], frames('c', 'prog'));
}));

// ubacktrace(), uaddr() and the functions naming user addresses (usymname, usymdata, umodname,
// print_usyms, sprint_ustack...), stap's formats: the addresses are named in user space after the
// process exited, through the build IDs of the probe's own stack.

/** usymdata() of the three frames of a fp-elf program: sizes of INNER, OUTER, START are 0xd, 0xb, 0x10. */
const usyms = (p: string, file: string) =>
  ` 0x400126 : ${p}_inner+0xb/0xd [${file}]\n 0x400119 : ${p}_outer+0x9/0xb [${file}]\n 0x400107 : ${p}_start+0x7/0x10 [${file}]\n`;

const USYMS = `probe kernel.trace("syscalls:sys_enter_sched_yield") {
  if (ppid() == target()) {
    s = ubacktrace()
    printf("--[%s]\\n", s)
    print_usyms(s)
    println(usymname(uaddr()), " ", umodname(uaddr()), " ", usymdata(uaddr()))
    print(sprint_ustack(ubacktrace()))
    print_ustack(s)
    printf("%s|%s\\n", usymname(0x400119), usymname(1))
  }
}`;

const usymsOut = (p: string, file: string) =>
  `--[0x400126 0x400119 0x400107 ]\n${usyms(p, file)}${p}_inner ${file} ${p}_inner+0xb/0xd [${file}]\n${usyms(p, file)}${usyms(p, file)}${p}_outer|0x1\n`;

test('print_usyms(ubacktrace()), usymname(uaddr()), umodname, sprint_ustack of processes that exited at once (8 binaries, each run 3 times)', withTempDir(async (dir) => {
  const names = Array.from({ length: 8 }, (_, i) => `s${i}`);
  for (const n of names) writeFramePointerProgram(join(dir, `sym-${n}`), program(n));
  const runs = names.flatMap((n) => [n, n, n]);
  const r = await runTstap(['-c', `sh -c '${runs.map((n) => join(dir, `sym-${n}`)).join('; ')}'`, script(USYMS)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, runs.map((n) => usymsOut(n, `sym-${n}`)).join(''));
  assert.equal(r.rc, 0);
}));

test('usymname and kin: one binary 25 times in a loop, the same names each time', withTempDir(async (dir) => {
  const prog = join(dir, 'usym-loop');
  writeFramePointerProgram(prog, program('ul'));
  const r = await runTstap(['-c', `sh -c 'i=0; while [ $i -lt 25 ]; do ${prog}; i=$((i+1)); done'`, script(USYMS)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, usymsOut('ul', 'usym-loop').repeat(25));
}));

test('ubacktrace() of 20 frames (two bpf_snprintf calls), cut at MAXSTRINGLEN; sprint_ustack keeps whole lines', withTempDir(async (dir) => {
  const deep = join(dir, 'deep');
  writeFramePointerProgram(deep, { ...program('d'), depth: 25 });
  const hex = `0x400136 0x400129 ${'0x400122 '.repeat(18)}`;
  const probe = (body: string) => script(`probe kernel.trace("syscalls:sys_enter_sched_yield") { if (ppid() == target()) { ${body} } }`);
  let r = await runTstap(['-c', `sh -c '${deep}; ${deep}'`, probe('println(ubacktrace()); print_usyms(ubacktrace())')]);
  assert.equal(r.stderr, '');
  const lines = ` 0x400136 : d_inner+0xb/0xd [deep]\n 0x400129 : d_outer+0x14/0x16 [deep]\n${' 0x400122 : d_outer+0xd/0x16 [deep]\n'.repeat(18)}`;
  assert.equal(r.stdout, `${hex}\n${lines}`.repeat(2));
  // 39 bytes: the first call's text cut; 200: the second call's.
  for (const max of [40, 200]) {
    r = await runTstap(['-D', `MAXSTRINGLEN=${max}`, '-c', `sh -c '${deep}; :'`, probe('println(ubacktrace())')]);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, `${hex.slice(0, max - 1)}\n`);
  }
  // 36 + 37 bytes > 64: sprint_ustack stops after the first line.
  r = await runTstap(['-D', 'MAXSTRINGLEN=64', '-c', `sh -c '${deep}; :'`, probe('print(sprint_ustack("0x400136 0x400129"))')]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, ' 0x400136 : d_inner+0xb/0xd [deep]\n');
}));

test('ubacktrace() is a kernel string: array keys, comparisons; printed in the end probe', withTempDir(async (dir) => {
  const prog = join(dir, 'keyprog');
  writeFramePointerProgram(prog, program('k'));
  const r = await runTstap(['-c', `sh -c '${prog}; ${prog}; ${prog}'`, script(`global stacks, same
probe kernel.trace("syscalls:sys_enter_sched_yield") {
  if (ppid() == target()) { stacks[ubacktrace()]++; if (ubacktrace() == "0x400126 0x400119 0x400107 ") same++ }
}
probe end { foreach (s in stacks) { printf("%d [%s]\\n", stacks[s], s); print_usyms(s) } println(same) }`)]);
  assert.equal(r.stderr, '');
  // No process in the end probe: print_usyms shows the addresses only.
  assert.equal(r.stdout, '3 [0x400126 0x400119 0x400107 ]\n 0x400126 : 0x400126\n 0x400119 : 0x400119\n 0x400107 : 0x400107\n3\n');
}));

test('user-address functions as values in a kernel handler: a clear error; umodname of no module: a run-time error', withTempDir(async (dir) => {
  let r = await runTstap(['-e', 'probe kernel.trace("syscalls:sys_enter_sched_yield") { s = usymname(uaddr()); println(s) }']);
  assert.match(r.stderr, /not supported in kernel context yet: usymname\(\) other than as a print argument/);
  assert.equal(r.rc, 1);
  const prog = join(dir, 'modprog');
  writeFramePointerProgram(prog, program('m'));
  r = await runTstap(['-c', prog, script('probe kernel.trace("syscalls:sys_enter_sched_yield") { if (pid() == target()) println(umodname(1)) }')]);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^ERROR: module cannot be found near identifier 'umodname' at /);
  assert.equal(r.rc, 1);
}));
