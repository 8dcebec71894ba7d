// tracefs event formats and event listing: fixed texts everywhere, the live tracefs when mounted.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { listEvents, parseDecl, parseFormat, readEventFormat, tracefsRoot } from '../../src/runtime/meta/tracefs.js';

const ROOT = tracefsRoot();
const NO_TRACEFS = ROOT === undefined && 'tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)';

// Verbatim from a 6.x kernel, with a __data_loc field and an array added from other events.
const FORMAT = `name: sample_event
ID: 1234
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;
\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;
\tfield:__data_loc char[] name;\toffset:32;\tsize:4;\tsigned:0;
\tfield:unsigned long args[6];\toffset:40;\tsize:48;\tsigned:0;
\tfield:char buf[];\toffset:88;\tsize:0;\tsigned:0;
\tfield:__rel_loc u64[] addrs;\toffset:88;\tsize:4;\tsigned:0;
\tfield:struct task_struct * task;\toffset:96;\tsize:8;\tsigned:0;
\tfield:long prev_state;\toffset:104;\tsize:8;\tsigned:1;

print fmt: "prev_comm=%s", REC->prev_comm
`;

test('a format file parses into id, fields and print fmt', () => {
  const f = parseFormat(FORMAT, 'sample');
  assert.equal(f.system, 'sample');
  assert.equal(f.name, 'sample_event');
  assert.equal(f.id, 1234);
  assert.equal(f.printFmt, '"prev_comm=%s", REC->prev_comm');
  assert.deepEqual(f.fields.map((x) => x.name), ['common_type', 'common_flags', 'common_preempt_count', 'common_pid',
    'prev_comm', 'filename', 'name', 'args', 'buf', 'addrs', 'task', 'prev_state']);
  const by = new Map(f.fields.map((x) => [x.name, x]));
  assert.deepEqual(by.get('common_pid'), { name: 'common_pid', decl: 'int common_pid', type: 'int', offset: 4, size: 4,
    signed: true, isArray: false, arrayLen: undefined, dataLoc: undefined, pointer: false, common: true });
  assert.deepEqual(by.get('prev_comm'), { name: 'prev_comm', decl: 'char prev_comm[16]', type: 'char', offset: 8, size: 16,
    signed: false, isArray: true, arrayLen: 16, dataLoc: undefined, pointer: false, common: false });
  const fn = by.get('filename')!;
  assert.equal(fn.type, 'const char *');
  assert.equal(fn.pointer, true);
  const nm = by.get('name')!;
  assert.equal(nm.dataLoc, 'data_loc');
  assert.equal(nm.type, 'char');
  assert.equal(nm.isArray, true);
  assert.equal(nm.arrayLen, undefined);
  assert.equal(by.get('addrs')!.dataLoc, 'rel_loc');
  assert.equal(by.get('addrs')!.type, 'u64');
  assert.equal(by.get('args')!.arrayLen, 6);
  assert.equal(by.get('args')!.type, 'unsigned long');
  assert.equal(by.get('buf')!.isArray, true);
  assert.equal(by.get('buf')!.arrayLen, undefined);
  assert.equal(by.get('task')!.type, 'struct task_struct *');
  assert.equal(by.get('prev_state')!.signed, true);
});

test('declarations split into name, type and array part', () => {
  assert.deepEqual(parseDecl('unsigned char common_flags'), { name: 'common_flags', type: 'unsigned char', isArray: false,
    arrayLen: undefined, dataLoc: undefined, pointer: false, common: true });
  assert.equal(parseDecl('__u8 saddr[0x10]').arrayLen, 16);
  assert.equal(parseDecl('char comm[TASK_COMM_LEN]').arrayLen, undefined);
  assert.equal(parseDecl('char comm[TASK_COMM_LEN]').isArray, true);
  assert.equal(parseDecl('void **ptrs').type, 'void **');
  assert.equal(parseDecl('void **ptrs').name, 'ptrs');
});

test('a file that is not a format is rejected', () => {
  assert.throws(() => parseFormat('hello\n'), /not a tracepoint format/);
  assert.throws(() => parseFormat('name: x\nID: 1\nformat:\n\tfield:int a;\tsize:4;\n'), /malformed/);
});

test('live: sched/sched_switch', { skip: NO_TRACEFS }, () => {
  const f = readEventFormat('sched', 'sched_switch');
  assert.equal(f.name, 'sched_switch');
  assert.ok(f.id > 0);
  const user = f.fields.filter((x) => !x.common);
  assert.deepEqual(user.map((x) => x.name),
    ['prev_comm', 'prev_pid', 'prev_prio', 'prev_state', 'next_comm', 'next_pid', 'next_prio']);
  const prevComm = user[0]!;
  assert.equal(prevComm.offset, 8);
  assert.equal(prevComm.arrayLen, 16);
  assert.equal(prevComm.type, 'char');
  assert.equal(f.fields.find((x) => x.name === 'next_pid')?.type, 'pid_t');
  assert.equal(f.fields.find((x) => x.name === 'next_pid')?.signed, true);
  // Fields are laid out in order, without overlap.
  for (let i = 1; i < f.fields.length; i++) {
    assert.ok(f.fields[i]!.offset >= f.fields[i - 1]!.offset + f.fields[i - 1]!.size);
  }
});

test('live: syscalls/sys_enter_openat', { skip: NO_TRACEFS }, () => {
  const f = readEventFormat('syscalls', 'sys_enter_openat');
  const by = new Map(f.fields.map((x) => [x.name, x]));
  assert.equal(by.get('__syscall_nr')?.offset, 8);
  assert.deepEqual([by.get('dfd')?.offset, by.get('filename')?.offset, by.get('flags')?.offset, by.get('mode')?.offset],
    [16, 24, 32, 40]);
  assert.equal(by.get('filename')?.pointer, true);
  assert.equal(by.get('filename')?.type, 'const char *');
  assert.equal(by.get('mode')?.type, 'umode_t');
  assert.ok([...by.values()].filter((x) => !x.common && x.name !== '__syscall_nr').every((x) => x.size === 8));
});

test('live: event globs', { skip: NO_TRACEFS }, () => {
  const sched = listEvents('sched:*');
  assert.ok(sched.length > 5);
  assert.ok(sched.every((e) => e.system === 'sched'));
  assert.ok(sched.some((e) => e.name === 'sched_switch'));
  const opens = listEvents('syscalls:sys_enter_open*');
  assert.ok(opens.some((e) => e.name === 'sys_enter_openat'));
  assert.ok(opens.every((e) => e.system === 'syscalls' && e.name.startsWith('sys_enter_open')));
  assert.deepEqual(listEvents('sched_switch'), [{ system: 'sched', name: 'sched_switch' }]);
  assert.deepEqual(listEvents('sched/sched_switch'), [{ system: 'sched', name: 'sched_switch' }]);
  assert.deepEqual(listEvents('no_such_system_xyz:*'), []);
  const names = sched.map((e) => e.name);
  assert.deepEqual(names, [...names].sort());
});

test('live: unknown events and bad names fail clearly', { skip: NO_TRACEFS }, () => {
  assert.throws(() => readEventFormat('sched', 'no_such_event'), /cannot read .*ENOENT/);
  assert.throws(() => readEventFormat('..', 'x'), /invalid tracepoint name/);
  assert.throws(() => readEventFormat('*', 'no_such_event_xyz'), /no tracepoint named/);
});

test('live: an event without its system is found in the one system that has it', { skip: NO_TRACEFS }, () => {
  const f = readEventFormat('*', 'sched_switch');
  assert.equal(f.system, 'sched');
  assert.equal(readEventFormat('', 'sys_enter_openat').system, 'syscalls');
});
