// BTF reader: the running kernel's vmlinux BTF, and synthesized base/split blobs covering every kind.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { Btf, vmlinuxBtf } from '../../src/runtime/meta/btf.js';
import { BtfKind } from '../../src/runtime/meta/btf-types.js';
import { flatMembers, memberOf, resolve, sizeof } from '../../src/runtime/meta/btf-layout.js';
import { describe } from '../../src/runtime/meta/btf-describe.js';
import { funcSignature, tracepointSignature } from '../../src/runtime/meta/btf-probe-args.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';
const HAVE_BTF = existsSync(VMLINUX);
// Offsets measured on the project's machine kind (shared/notes/kernel-facts.md §3).
const FACTS_KERNEL = release().startsWith('6.18.44');

test('vmlinux: task_struct members pid and comm', { skip: !HAVE_BTF && 'no /sys/kernel/btf/vmlinux' }, () => {
  const btf = vmlinuxBtf();
  const ts = btf.find('struct', 'task_struct');
  assert.ok(ts !== undefined);
  const pid = memberOf(btf, ts, 'pid');
  const comm = memberOf(btf, ts, 'comm');
  assert.ok(pid && comm);
  assert.equal(describe(btf, pid.type), 'pid_t');
  assert.equal(describe(btf, resolve(btf, pid.type)), 'int');
  assert.equal(describe(btf, comm.type), 'char[16]');
  assert.equal(sizeof(btf, comm.type), 16);
  assert.equal(pid.bitSize, 0);
  // A second, deliberately naive walk over the raw records must agree on the offsets.
  assert.deepEqual(naiveMemberOffsets(readFileSync(VMLINUX), 'task_struct', ['pid', 'comm']),
    [pid.bitOffset, comm.bitOffset]);
  if (FACTS_KERNEL) {
    assert.equal(pid.bitOffset, 1264 * 8);
    assert.equal(comm.bitOffset, 1752 * 8);
  }
  assert.equal(memberOf(btf, ts, 'no_such_member'), undefined);
  assert.equal(describe(btf, ts), 'struct task_struct');
  assert.equal(describe(btf, btf.find('struct', 'task_struct')!), 'struct task_struct');
});

test('vmlinux: members inside anonymous structs/unions are found as C finds them', { skip: !HAVE_BTF && 'no BTF' }, () => {
  const btf = vmlinuxBtf();
  // struct file's f_path... is direct; struct sk_buff's `next`/`len` sit in anonymous unions/structs.
  const skb = btf.find('struct', 'sk_buff')!;
  const t = btf.type(skb);
  assert.equal(t.kind, 'struct');
  if (t.kind !== 'struct') return;
  assert.ok(!t.members.some((m) => m.name === 'next'), 'next is not a direct member');
  const next = memberOf(btf, skb, 'next');
  assert.ok(next);
  assert.equal(describe(btf, next.type), 'struct sk_buff *');
  assert.ok(flatMembers(btf, skb).some((m) => m.name === 'next' && m.bitOffset === next.bitOffset));
});

test('vmlinux: btf_trace_sched_switch gives the tp_btf args without __data', { skip: !HAVE_BTF && 'no BTF' }, () => {
  const btf = vmlinuxBtf();
  const sig = tracepointSignature(btf, 'sched_switch');
  assert.ok(sig);
  assert.equal(btf.type(sig.id).kind, 'typedef');
  assert.equal(btf.nameOf(sig.id), 'btf_trace_sched_switch');
  assert.deepEqual(sig.params.map((p) => [p.name, describe(btf, p.type)]), [
    ['preempt', 'bool'],
    ['prev', 'struct task_struct *'],
    ['next', 'struct task_struct *'],
    ['prev_state', 'unsigned int'],
  ]);
  if (FACTS_KERNEL) assert.equal(sig.id, 10306);
  assert.equal(tracepointSignature(btf, 'no_such_tracepoint_xyz'), undefined);
});

test('vmlinux: FUNC vfs_read and its parameters', { skip: !HAVE_BTF && 'no BTF' }, () => {
  const btf = vmlinuxBtf();
  const sig = funcSignature(btf, 'vfs_read');
  assert.ok(sig);
  assert.deepEqual(sig.params.map((p) => describe(btf, p.type, p.name)),
    ['struct file *file', 'char *buf', 'size_t count', 'loff_t *pos']);
  assert.equal(describe(btf, sig.returnType), 'ssize_t');
  assert.equal(describe(btf, sig.id), 'ssize_t vfs_read(struct file *file, char *buf, size_t count, loff_t *pos)');
  if (FACTS_KERNEL) assert.equal(sig.id, 119873);
  assert.equal(funcSignature(btf, 'no_such_function_xyz'), undefined);
});

test('vmlinux: every type decodes and describes', { skip: !HAVE_BTF && 'no BTF' }, () => {
  const btf = Btf.parse(readFileSync(VMLINUX));
  const kinds = new Set<string>();
  for (let id = 1; id <= btf.lastId; id++) {
    const t = btf.type(id);
    assert.equal(t.kind, btf.kindOf(id));
    kinds.add(t.kind);
    assert.equal(typeof describe(btf, id), 'string');
  }
  for (const k of ['int', 'ptr', 'array', 'struct', 'union', 'enum', 'typedef', 'const', 'func', 'func_proto']) {
    assert.ok(kinds.has(k), k);
  }
});

// --- synthesized BTF ---------------------------------------------------------------------------

/** Writes BTF blobs; `base` makes a split blob whose ids and string offsets continue the base's. */
class BtfWriter {
  private readonly strs: string[] = [''];
  private readonly strOff = new Map<string, number>([['', 0]]);
  private strLen = 1;
  private readonly words: number[] = [];
  private nextId: number;
  private readonly strStart: number;

  constructor(base?: { lastId: number; strLen: number }) {
    this.nextId = base ? base.lastId + 1 : 1;
    this.strStart = base ? base.strLen : 0;
  }

  s(name: string): number {
    let o = this.strOff.get(name);
    if (o === undefined) {
      o = this.strLen;
      this.strs.push(name);
      this.strOff.set(name, o);
      this.strLen += Buffer.byteLength(name) + 1;
    }
    return o + this.strStart;
  }

  rec(name: string, kind: number, vlen: number, kflag: boolean, sizeOrType: number, ...tail: number[]): number {
    this.words.push(this.s(name), ((kflag ? 1 : 0) << 31 | kind << 24 | vlen) >>> 0, sizeOrType >>> 0, ...tail.map((x) => x >>> 0));
    return this.nextId++;
  }

  build(): Buffer {
    const strBuf = Buffer.from(this.strs.join('\0') + '\0', 'latin1');
    const typeBuf = Buffer.alloc(this.words.length * 4);
    this.words.forEach((w, i) => typeBuf.writeUInt32LE(w, i * 4));
    const hdr = Buffer.alloc(24);
    hdr.writeUInt16LE(0xeb9f, 0);
    hdr[2] = 1;
    hdr.writeUInt32LE(24, 4);
    hdr.writeUInt32LE(0, 8);
    hdr.writeUInt32LE(typeBuf.length, 12);
    hdr.writeUInt32LE(typeBuf.length, 16);
    hdr.writeUInt32LE(strBuf.length, 20);
    return Buffer.concat([hdr, typeBuf, strBuf]);
  }
}

const K = BtfKind;

function synthBase(): { blob: Buffer; ids: Record<string, number> } {
  const w = new BtfWriter();
  const ids: Record<string, number> = {};
  ids.int = w.rec('int', K.INT, 0, false, 4, (1 << 24) | 32);
  ids.uint = w.rec('unsigned int', K.INT, 0, false, 4, 32);
  ids.char = w.rec('char', K.INT, 0, false, 1, (2 << 24) | 8);
  ids.charp = w.rec('', K.PTR, 0, false, ids.char);
  ids.cchar = w.rec('', K.CONST, 0, false, ids.char);
  ids.ccharp = w.rec('', K.PTR, 0, false, ids.cchar);
  ids.charpc = w.rec('', K.CONST, 0, false, ids.charp);
  ids.u32 = w.rec('u32', K.TYPEDEF, 0, false, ids.uint);
  ids.vu32 = w.rec('', K.VOLATILE, 0, false, ids.u32);
  ids.arr16 = w.rec('', K.ARRAY, 0, false, 0, ids.char, ids.int, 16);
  ids.parr = w.rec('', K.PTR, 0, false, ids.arr16);
  // struct s { int x; union { int y; struct { u32 z; }; }; char name[16]; unsigned flag:5; const char *p; volatile u32 vol; }
  ids.anonStruct = w.rec('', K.STRUCT, 1, false, 4, w.s('z'), ids.u32, 0);
  ids.anonUnion = w.rec('', K.UNION, 2, false, 4, w.s('y'), ids.int, 0, 0, ids.anonStruct, 0);
  ids.bits3 = w.rec('int', K.INT, 0, false, 4, (1 << 24) | (4 << 16) | 3); // legacy bitfield: 3 bits at +4
  ids.s = w.rec('s', K.STRUCT, 6, true, 48,
    w.s('x'), ids.int, 0,
    0, ids.anonUnion, 32,
    w.s('name'), ids.arr16, 64,
    w.s('flag'), ids.uint, (5 << 24) | 192, // kflag bitfield: 5 bits at bit 192
    w.s('p'), ids.ccharp, 256,
    w.s('vol'), ids.vu32, 320);
  ids.legacy = w.rec('legacy', K.STRUCT, 1, false, 4, w.s('b'), ids.bits3, 0);
  ids.e = w.rec('color', K.ENUM, 2, true, 4, w.s('RED'), -1, w.s('BLUE'), 7);
  ids.e64 = w.rec('big', K.ENUM64, 1, false, 8, w.s('HUGE'), 0x00000001, 0x80000000);
  ids.fwd = w.rec('opaque', K.FWD, 0, true, 0);
  ids.proto = w.rec('', K.FUNC_PROTO, 3, false, ids.int, w.s('fd'), ids.int, w.s('buf'), ids.charp, 0, 0);
  ids.fn = w.rec('my_read', K.FUNC, 1, false, ids.proto);
  ids.fnp = w.rec('', K.PTR, 0, false, ids.proto);
  ids.voidp = w.rec('', K.PTR, 0, false, 0);
  // As the kernel has them: the typedef's prototype is unnamed, __traceiter_<tp> carries the names.
  ids.tpProto = w.rec('', K.FUNC_PROTO, 2, false, 0, 0, ids.voidp, 0, ids.charp);
  ids.tpPtr = w.rec('', K.PTR, 0, false, ids.tpProto);
  ids.tpTypedef = w.rec('btf_trace_my_event', K.TYPEDEF, 0, false, ids.tpPtr);
  ids.iterProto = w.rec('', K.FUNC_PROTO, 2, false, ids.int, w.s('__data'), ids.voidp, w.s('task'), ids.charp);
  ids.iter = w.rec('__traceiter_my_event', K.FUNC, 1, false, ids.iterProto);
  ids.tp2Proto = w.rec('', K.FUNC_PROTO, 2, false, 0, 0, ids.voidp, 0, ids.int);
  ids.tp2Ptr = w.rec('', K.PTR, 0, false, ids.tp2Proto);
  ids.tp2Typedef = w.rec('btf_trace_unnamed_event', K.TYPEDEF, 0, false, ids.tp2Ptr);
  ids.v = w.rec('counter', K.VAR, 0, false, ids.int, 1);
  ids.ds = w.rec('.data', K.DATASEC, 1, false, 4, ids.v, 0, 4);
  ids.f = w.rec('double', K.FLOAT, 0, false, 8);
  ids.tag = w.rec('user', K.TYPE_TAG, 0, false, ids.char);
  ids.tagp = w.rec('', K.PTR, 0, false, ids.tag);
  ids.dtag = w.rec('noinline', K.DECL_TAG, 0, false, ids.fn, 0xffffffff);
  ids.restrictp = w.rec('', K.RESTRICT, 0, false, ids.charp);
  ids.dupInt = w.rec('s', K.TYPEDEF, 0, false, ids.s); // same name, other kind
  return { blob: w.build(), ids };
}

test('synthesized BTF: every kind decodes', () => {
  const { blob, ids } = synthBase();
  const btf = Btf.parse(blob);
  assert.equal(btf.count, Object.keys(ids).length);
  assert.deepEqual(btf.type(ids.int!), { kind: 'int', id: ids.int, name: 'int', size: 4, signed: true, char: false, bool: false, bitOffset: 0, bits: 32 });
  assert.equal(btf.type(0).kind, 'void');
  assert.deepEqual(btf.type(ids.e!), { kind: 'enum', id: ids.e, name: 'color', size: 4, signed: true,
    values: [{ name: 'RED', value: -1n }, { name: 'BLUE', value: 7n }] });
  const e64 = btf.type(ids.e64!);
  assert.ok(e64.kind === 'enum64' && e64.values[0]!.value === 0x8000000000000001n);
  const proto = btf.type(ids.proto!);
  assert.ok(proto.kind === 'func_proto' && proto.variadic && proto.params.length === 2);
  assert.deepEqual(btf.type(ids.fn!), { kind: 'func', id: ids.fn, name: 'my_read', type: ids.proto, linkage: 'global' });
  assert.deepEqual(btf.type(ids.v!), { kind: 'var', id: ids.v, name: 'counter', type: ids.int, linkage: 'global' });
  assert.deepEqual(btf.type(ids.ds!), { kind: 'datasec', id: ids.ds, name: '.data', size: 4, vars: [{ type: ids.v, offset: 0, size: 4 }] });
  assert.deepEqual(btf.type(ids.dtag!), { kind: 'decl_tag', id: ids.dtag, name: 'noinline', type: ids.fn, componentIdx: -1 });
  assert.deepEqual(btf.type(ids.fwd!), { kind: 'fwd', id: ids.fwd, name: 'opaque', union: true });
  assert.deepEqual(btf.type(ids.f!), { kind: 'float', id: ids.f, name: 'double', size: 8 });
  assert.throws(() => btf.type(btf.lastId + 1), /does not exist/);
});

test('synthesized BTF: name lookup by kind', () => {
  const { blob, ids } = synthBase();
  const btf = Btf.parse(blob);
  assert.equal(btf.find('struct', 's'), ids.s);
  assert.equal(btf.find('typedef', 's'), ids.dupInt);
  assert.deepEqual(btf.findAll('s'), [ids.s, ids.dupInt]);
  assert.deepEqual(btf.findAll('int'), [ids.int, ids.bits3]);
  assert.equal(btf.find('func', 'my_read'), ids.fn);
  assert.equal(btf.find('func', 'my_rea'), undefined);
  assert.equal(btf.find('struct', 'nope'), undefined);
});

test('synthesized BTF: members through anonymous unions, both bitfield encodings, sizeof', () => {
  const { blob, ids } = synthBase();
  const btf = Btf.parse(blob);
  assert.deepEqual(memberOf(btf, ids.s!, 'z'), { name: 'z', type: ids.u32, bitOffset: 32, bitSize: 0 });
  assert.deepEqual(memberOf(btf, ids.s!, 'y'), { name: 'y', type: ids.int, bitOffset: 32, bitSize: 0 });
  assert.deepEqual(memberOf(btf, ids.s!, 'flag'), { name: 'flag', type: ids.uint, bitOffset: 192, bitSize: 5 });
  assert.deepEqual(memberOf(btf, ids.legacy!, 'b'), { name: 'b', type: ids.bits3, bitOffset: 4, bitSize: 3 });
  // Through a typedef of the struct, as `$var->member` on a typedef'd pointer target does.
  assert.equal(memberOf(btf, ids.dupInt!, 'name')?.bitOffset, 64);
  assert.equal(memberOf(btf, ids.int!, 'x'), undefined);
  assert.deepEqual(flatMembers(btf, ids.s!).map((m) => m.name), ['x', 'y', 'z', 'name', 'flag', 'p', 'vol']);
  assert.equal(sizeof(btf, ids.arr16!), 16);
  assert.equal(sizeof(btf, ids.vu32!), 4);
  assert.equal(sizeof(btf, ids.charp!), 8);
  assert.equal(sizeof(btf, ids.s!), 48);
  assert.equal(sizeof(btf, ids.proto!), undefined);
  assert.equal(sizeof(btf, 0), undefined);
  assert.equal(resolve(btf, ids.vu32!), ids.uint);
});

test('synthesized BTF: C declarator spelling', () => {
  const { blob, ids } = synthBase();
  const btf = Btf.parse(blob);
  const d = (id: number, name?: string): string => describe(btf, id, name);
  assert.equal(d(ids.charp!), 'char *');
  assert.equal(d(ids.ccharp!), 'const char *');
  assert.equal(d(ids.charpc!), 'char *const');
  assert.equal(d(ids.charpc!, 'p'), 'char *const p');
  assert.equal(d(ids.arr16!), 'char[16]');
  assert.equal(d(ids.arr16!, 'comm'), 'char comm[16]');
  assert.equal(d(ids.parr!), 'char (*)[16]');
  assert.equal(d(ids.fnp!), 'int (*)(int, char *, ...)');
  assert.equal(d(ids.fnp!, 'cb'), 'int (*cb)(int, char *, ...)');
  assert.equal(d(ids.fn!), 'int my_read(int fd, char *buf, ...)');
  assert.equal(d(ids.vu32!), 'volatile u32');
  assert.equal(d(ids.restrictp!), 'char *restrict');
  assert.equal(d(ids.tagp!), 'char *');
  assert.equal(d(ids.anonUnion!), 'union {...}');
  assert.equal(d(ids.e64!), 'enum big');
  assert.equal(d(ids.fwd!), 'union opaque');
  assert.equal(d(ids.v!), 'int counter');
  assert.equal(d(ids.tpProto!), 'void (void *, char *)');
});

test('synthesized BTF: tracepoint and function signatures', () => {
  const { blob, ids } = synthBase();
  const btf = Btf.parse(blob);
  const tp = tracepointSignature(btf, 'my_event');
  assert.deepEqual(tp?.params.map((p) => p.name), ['task']);
  assert.equal(tp?.id, ids.tpTypedef);
  // Without a named twin the parameters stay unnamed rather than guessed.
  assert.deepEqual(tracepointSignature(btf, 'unnamed_event')?.params.map((p) => [p.name, describe(btf, p.type)]), [['', 'int']]);
  const fn = funcSignature(btf, 'my_read');
  assert.deepEqual(fn?.params.map((p) => p.name), ['fd', 'buf']);
  assert.equal(fn?.variadic, true);
});

test('split BTF: ids and string offsets continue the base', () => {
  const { blob, ids } = synthBase();
  const base = Btf.parse(blob);
  const strLen = blob.readUInt32LE(20);
  const w = new BtfWriter({ lastId: base.lastId, strLen });
  const modStruct = w.rec('mod_state', K.STRUCT, 2, false, 16, w.s('task'), ids.charp!, 0, w.s('count'), ids.u32!, 64);
  const modPtr = w.rec('', K.PTR, 0, false, modStruct);
  const modFn = w.rec('', K.FUNC_PROTO, 1, false, ids.int!, w.s('st'), modPtr);
  const fn = w.rec('mod_fn', K.FUNC, 0, false, modFn);
  // A split blob may also name a type with a string that only the base holds.
  const reuse = w.rec('', K.TYPEDEF, 0, false, ids.int!);
  const mod = Btf.parse(w.build(), base);
  assert.equal(mod.firstId, base.lastId + 1);
  assert.equal(modStruct, mod.firstId);
  assert.equal(mod.find('struct', 'mod_state'), modStruct);
  assert.equal(mod.find('struct', 's'), ids.s, 'base types are found through the split blob');
  assert.equal(describe(mod, modPtr), 'struct mod_state *');
  assert.equal(memberOf(mod, modStruct, 'count')?.bitOffset, 64);
  assert.equal(describe(mod, fn), 'int mod_fn(struct mod_state *st)');
  assert.equal(mod.type(ids.int!).name, 'int');
  assert.equal(mod.type(reuse).kind, 'typedef');
  assert.equal(funcSignature(mod, 'mod_fn')?.params[0]?.name, 'st');
});

test('malformed BTF is rejected with a reason', () => {
  const { blob } = synthBase();
  assert.throws(() => Btf.parse(Buffer.alloc(8)), /too short/);
  const bad = Buffer.from(blob);
  bad.writeUInt16LE(0x1234, 0);
  assert.throws(() => Btf.parse(bad), /not BTF/);
  const trunc = Buffer.from(blob);
  trunc.writeUInt32LE(blob.readUInt32LE(12) - 4, 12); // type_len one word short: last record cut
  assert.throws(() => Btf.parse(trunc), /BTF/);
});

test('unaligned in-memory BTF is copied, not misread', () => {
  const { blob, ids } = synthBase();
  const shifted = Buffer.alloc(blob.length + 1);
  blob.copy(shifted, 1);
  const btf = Btf.parse(shifted.subarray(1));
  assert.equal(btf.find('struct', 's'), ids.s);
});

/** An independent, minimal reading of struct member offsets (no shared code with btf.ts). */
function naiveMemberOffsets(data: Buffer, struct: string, members: string[]): number[] {
  const hdrLen = data.readUInt32LE(4);
  const tStart = hdrLen + data.readUInt32LE(8);
  const tEnd = tStart + data.readUInt32LE(12);
  const sStart = hdrLen + data.readUInt32LE(16);
  const name = (off: number): string => data.toString('latin1', sStart + off, data.indexOf(0, sStart + off));
  for (let p = tStart; p < tEnd;) {
    const info = data.readUInt32LE(p + 4);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    if (kind === 4 && name(data.readUInt32LE(p)) === struct) {
      const found = new Map<string, number>();
      for (let i = 0; i < vlen; i++) {
        const m = p + 12 + i * 12;
        const off = data.readUInt32LE(m + 8);
        found.set(name(data.readUInt32LE(m)), info >>> 31 ? off & 0xffffff : off);
      }
      return members.map((m) => found.get(m) ?? -1);
    }
    const extra = [0, 4, 0, 12, 12 * vlen, 12 * vlen, 8 * vlen, 0, 0, 0, 0, 0, 0, 8 * vlen, 4, 12 * vlen, 0, 4, 0, 12 * vlen][kind]!;
    p += 12 + extra;
  }
  return [];
}
