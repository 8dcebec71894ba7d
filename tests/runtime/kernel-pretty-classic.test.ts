// Pretty printing of classic (tracefs) tracepoint fields in kernel handlers: `$field$`,
// `$field$$`, `$$vars$`, `$$parms$`, `$$vars$$`, and `->`/`[i]` on fields, typed by looking the
// format file's C type text up in the kernel's BTF (src/runtime/meta/btf-ctype.ts). Syscall
// tracepoints are the classic ones here; their pointer fields are user pointers, read from the
// process. TSTAP_TRACEPOINT_ATTACH=classic makes other tracepoints classic too, for records with
// arrays (`char prev_comm[16]`, `unsigned long args[6]`) and dynamic strings (`__data_loc`).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, runTstap } from '../corpus-runner.js';
import { script, withTempDir } from './kernel-fixtures.js';
import { vmlinuxBtf } from '../../src/runtime/meta/btf.js';
import { resolved, sizeof } from '../../src/runtime/meta/btf-layout.js';
import { fieldTypes, parseCType } from '../../src/runtime/meta/btf-ctype.js';
import { listEvents, parseDecl, readEventFormat, type TraceField } from '../../src/runtime/meta/tracefs.js';

/**
 * A workload of known calls, as a script for node: openat(AT_FDCWD, DIR/pretty,
 * O_WRONLY|O_CREAT|O_TRUNC, 0640); openat of the unreadable name 0x10 (EFAULT);
 * openat2(AT_FDCWD, DIR, {O_DIRECTORY|O_CLOEXEC, 0, RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH}, 24);
 * rt_sigaction(SIGWINCH, {SIG_IGN, SA_RESTORER, 0x5678, {SIGINT, SIGTERM}}, NULL, 8).
 */
function knownCalls(dir: string): string {
  const file = path.join(dir, 'calls.cjs');
  fs.writeFileSync(file, `
const koffi = require(${JSON.stringify(path.join(ROOT, 'node_modules', 'koffi'))});
const libc = koffi.load('libc.so.6');
const open = libc.func('long syscall(long nr, long dfd, const char *path, long flags, long mode)');
const bad = libc.func('long syscall(long nr, long dfd, long path, long flags, long mode)');
const open2 = libc.func('long syscall(long nr, long dfd, const char *path, void *how, long size)');
const sigaction = libc.func('long syscall(long nr, long sig, void *act, long oact, long size)');
const close = libc.func('int close(int fd)');
const dir = process.argv[2];
const fd = Number(open(257, -100, dir + '/pretty', 0o1101, 0o640));
if (fd >= 0) close(fd);
bad(257, -100, 0x10, 0, 0);
const how = Buffer.alloc(24);
how.writeBigUInt64LE(0o2200000n, 0);
how.writeBigUInt64LE(0x4n | 0x8n, 16);
const fd2 = Number(open2(437, -100, dir, how, 24));
if (fd2 >= 0) close(fd2);
const act = Buffer.alloc(32);
act.writeBigUInt64LE(1n, 0);
act.writeBigUInt64LE(0x04000000n, 8);
act.writeBigUInt64LE(0x5678n, 16);
act.writeBigUInt64LE((1n << 1n) | (1n << 14n), 24);
sigaction(13, 28, act, 0, 8);
`);
  return `node ${file} ${dir}`;
}

/** Runs `f` with TSTAP_TRACEPOINT_ATTACH=classic, restoring the environment after. */
async function classicTracepoints<T>(f: () => Promise<T>): Promise<T> {
  const before = process.env['TSTAP_TRACEPOINT_ATTACH'];
  process.env['TSTAP_TRACEPOINT_ATTACH'] = 'classic';
  try {
    return await f();
  } finally {
    if (before === undefined) delete process.env['TSTAP_TRACEPOINT_ATTACH'];
    else process.env['TSTAP_TRACEPOINT_ATTACH'] = before;
  }
}

test('$$parms$, $$vars$, $$vars$$ and $field$ of sys_enter_openat: numbers by their C types, the user string; plain $$parms unchanged', withTempDir(async (dir) => {
  const r = await runTstap(['-c', knownCalls(dir), script(`
probe kernel.trace("syscalls:sys_enter_openat") {
  if (pid() == target() && $flags == 577 && $mode == 0640) {
    println($$parms$)
    println($$vars$)
    println($$vars$$)
    println($$parms)
    printf("%s|%s|%s|%s|%s|%d\\n", $mode$, $mode$$, $dfd$, $flags$, $filename$, $filename == 0)
  }
  if (pid() == target() && $filename == 16) {
    println($$parms$)
    println($filename$)
    bad[tid()] = 1
  }
}
global bad
probe kernel.trace("syscalls:sys_exit_openat") {
  if (bad[tid()]) { println($$parms$ . " " . $ret$) delete bad[tid()] }
}
`)]);
  assert.equal(r.stderr, '');
  const lines = r.stdout.split('\n');
  const parms = `dfd=-100 filename="${dir}/pretty" flags=577 mode=416`;
  assert.equal(lines[0], parms);
  assert.equal(lines[1], parms);
  assert.equal(lines[2], parms);
  // stap's tracepoint form stays as it was: "%#x", pointers "%p".
  assert.match(lines[3]!, /^dfd=0xffffffffffffff9c filename=0x[0-9a-f]+ flags=0x241 mode=0x1a0$/);
  assert.equal(lines[4], `416|416|-100|577|"${dir}/pretty"|0`);
  // A name the kernel cannot read from the process: stap's "<unknown>".
  assert.equal(lines[5], 'dfd=-100 filename="<unknown>" flags=0 mode=0');
  assert.equal(lines[6], '"<unknown>"');
  assert.equal(lines[7], 'ret=-14 -14');
  assert.equal(lines.length, 9, r.stdout);
  assert.equal(r.rc, 0);
}));

test('pointer fields of syscall tracepoints are chased in user memory: structs, nested structs and arrays, -> and [i]', withTempDir(async (dir) => {
  const r = await runTstap(['-c', knownCalls(dir), script(`
probe kernel.trace("syscalls:sys_enter_openat2") {
  if (pid() == target()) {
    println($$parms$)
    println($how$$)
    printf("%d %d %s\\n", $how->resolve, $how->flags, $how->flags$)
  }
}
probe kernel.trace("syscalls:sys_enter_rt_sigaction") {
  if (pid() == target() && $sig == 28 && $act && $act->sa_restorer == 0x5678) {
    println($act$)
    println($act$$)
    printf("%d %d\\n", $act->sa_mask->sig[0], $act->sa_restorer)
  }
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, [
    `dfd=-100 filename="${dir}" how={.flags=589824, .mode=0, .resolve=12} usize=24`,
    '{.flags=589824, .mode=0, .resolve=12}',
    '12 589824 589824',
    // sa_mask is a struct within: `{...}` unless `$$`; its array shows its first element.
    '{.sa_handler=0x1, .sa_flags=67108864, .sa_restorer=0x5678, .sa_mask={...}}',
    '{.sa_handler=0x1, .sa_flags=67108864, .sa_restorer=0x5678, .sa_mask={.sig=[16386, ...]}}',
    '16386 22136',
    '',
  ].join('\n'));
  assert.equal(r.rc, 0);
}));

test('classic records with arrays and dynamic strings: char[16] and __data_loc as strings, unsigned long[6] as [first, ...], [i] of a field', withTempDir(async (dir) => {
  const r = await classicTracepoints(() => runTstap(['-c', `${process.execPath} ${knownCalls(dir).slice('node '.length)}`, script(`
global switched
probe kernel.trace("sched:sched_process_exec") {
  if (pid() == target()) {
    println($filename$)
    println(kernel_string($filename))
    printf("%s|%d\\n", $$parms$, target())
    printf("%s|%d\\n", $$parms, target())
  }
}
probe kernel.trace("sched:sched_switch") {
  if (!switched && $prev_pid == target() && execname() == "node") {
    switched = 1
    printf("%s|%s|%s|%d|%s\\n", $prev_comm$, $prev_comm$$, kernel_string($prev_comm), $prev_comm[1], $prev_pid$)
    println($$parms)
  }
}
probe kernel.trace("raw_syscalls:sys_enter") {
  if (pid() == target() && $id == 257 && $args[2] == 577) {
    println($args$)
    println($args$$)
    println($$parms$)
    println($$parms)
    printf("%d %s\\n", $args[3], $id$)
  }
}
`)]));
  assert.equal(r.stderr, '');
  const lines = r.stdout.split('\n');
  const exec = lines.filter((l) => l.startsWith('"/') || l.startsWith('/') || l.startsWith('filename='));
  const pid = /\|(\d+)$/.exec(exec[2] ?? '')?.[1] ?? '?';
  assert.deepEqual(exec, [
    `"${process.execPath}"`,
    process.execPath,
    `filename="${process.execPath}" pid=${pid} old_pid=${pid}|${pid}`,
    `filename=? pid=0x${Number(pid).toString(16)} old_pid=0x${Number(pid).toString(16)}|${pid}`,
  ]);
  const sw = lines.filter((l) => l.startsWith('"node"') || l.startsWith('prev_comm='));
  assert.equal(sw[0], `"node"|"node"|node|111|${pid}`);
  assert.match(sw[1]!, new RegExp(`^prev_comm=\\? prev_pid=0x${Number(pid).toString(16)} prev_prio=0x[0-9a-f]+ prev_state=0x[0-9a-f]+ next_comm=\\? next_pid=0x[0-9a-f]+ next_prio=0x[0-9a-f]+$`));
  const raw = lines.filter((l) => l.startsWith('[') || l.startsWith('id=') || l.startsWith('416'));
  assert.deepEqual(raw, [
    '[18446744073709551516, ...]',
    '[18446744073709551516, ...]',
    'id=257 args=[18446744073709551516, ...]',
    'id=0x101 args=?',
    '416 257',
  ]);
  assert.equal(r.rc, 0);
}));

test('classic field errors: an unknown field, a member its C type lacks', async () => {
  const unknown = await runTstap(['-p4', script(`probe kernel.trace("syscalls:sys_enter_openat") { println($nosuch$) }`)]);
  assert.match(unknown.stderr, /unable to find tracepoint variable '\$nosuch' \(alternatives: \$__syscall_nr \$dfd \$filename \$flags \$mode\)/);
  assert.notEqual(unknown.rc, 0);
  const member = await runTstap(['-p4', script(`probe kernel.trace("syscalls:sys_enter_openat2") { println($how->nosuch) }`)]);
  assert.match(member.stderr, /unable to find member 'nosuch'/);
  assert.notEqual(member.rc, 0);
});

test('C type texts as format files print them, parsed', () => {
  assert.deepEqual(parseCType('unsigned long'), { base: { tag: 'int', names: ['long unsigned int', 'unsigned long'] }, pointers: 0 });
  assert.deepEqual(parseCType('long unsigned int'), parseCType('unsigned long'));
  assert.deepEqual(parseCType('const char *const *'), { base: { tag: 'int', names: ['char'] }, pointers: 2 });
  assert.deepEqual(parseCType('struct robust_list_head * *'), { base: { tag: 'struct', name: 'robust_list_head' }, pointers: 2 });
  assert.deepEqual(parseCType('void __seg_gs *'), { base: { tag: 'void' }, pointers: 1 });
  assert.deepEqual(parseCType('const enum landlock_rule_type'), { base: { tag: 'enum', name: 'landlock_rule_type' }, pointers: 0 });
  assert.deepEqual(parseCType('umode_t'), { base: { tag: 'name', name: 'umode_t' }, pointers: 0 });
  assert.deepEqual(parseCType('unsigned'), { base: { tag: 'int', names: ['unsigned int'] }, pointers: 0 });
  assert.equal(parseCType('void (*)(void)'), undefined);
  assert.equal(parseCType('char * name'), undefined); // a declaration, not a type
  assert.equal(parseCType('signed unsigned int'), undefined);
});

test('field types from BTF: char[16] an array of 16 chars, __data_loc char[] of length 0, pointers to named types', () => {
  const btf = vmlinuxBtf();
  const field = (decl: string, size: number): TraceField => ({ ...parseDecl(decl), decl, offset: 8, size, signed: false });
  const fields = [
    field('char comm[16]', 16), field('__data_loc char[] name', 4), field('const char * filename', 8),
    field('struct open_how * how', 8), field('umode_t mode', 8), field('struct no_such_struct_tstap * p', 8),
    field('long long big', 4),
  ];
  const { btf: b, types } = fieldTypes(btf, fields);
  const t = (n: string) => resolved(b, types.get(n)!);
  const comm = t('comm');
  assert.ok(comm.kind === 'array' && comm.nelems === 16 && resolved(b, comm.type).name === 'char');
  const name = t('name');
  assert.ok(name.kind === 'array' && name.nelems === 0);
  const fn = t('filename');
  assert.ok(fn.kind === 'ptr' && resolved(b, fn.type).name === 'char');
  const how = t('how');
  assert.ok(how.kind === 'ptr' && resolved(b, how.type).kind === 'struct' && resolved(b, how.type).name === 'open_how');
  assert.equal(sizeof(b, types.get('mode')!), 2);
  // Unknown names, and a type wider than the field's bytes, are left out.
  assert.equal(types.has('p'), false);
  assert.equal(types.has('big'), false);
});

test('every field of every tracepoint of this kernel has a BTF type of its size', () => {
  const btf = vmlinuxBtf();
  const missing: string[] = [];
  for (const e of listEvents('*')) {
    const format = readEventFormat(e.system, e.name);
    const { btf: b, types } = fieldTypes(btf, format.fields);
    for (const f of format.fields) {
      const id = types.get(f.name);
      // Syscall records hold each argument in 8 bytes, whatever its type's size.
      const fits = id !== undefined && (f.dataLoc !== undefined || sizeof(b, id) === f.size || (e.system === 'syscalls' && sizeof(b, id)! <= 8));
      if (!fits) missing.push(`${e.system}:${e.name} ${f.decl}`);
    }
  }
  assert.deepEqual(missing, []);
});
