// BPF assembler encoding: exact bytes for each instruction form, the measured counter program, helper ids.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Assembler } from '../../src/bpf/asm.js';
import { HELPERS, helperId, helperName } from '../../src/bpf/helpers.js';
import { decodeInsn, R0, R1, R2, R3, R6, R10 } from '../../src/bpf/insn.js';
import { patchMapFds, resolveRelocations } from '../../src/bpf/program.js';

/** Assembles `build` followed by an exit and returns the slots as 16-hex-digit words, minus the exit. */
function hex(build: (a: Assembler) => void): string[] {
  const a = new Assembler();
  build(a);
  a.exit();
  const words = a.link().insns.toString('hex').match(/.{16}/g) ?? [];
  return words.slice(0, -1);
}

test('the counter program from kernel-facts.md, byte for byte', () => {
  const counts = { name: 'counts' };
  const a = new Assembler();
  a.stW(R10, -4, 0)
    .mov64Reg(R2, R10)
    .alu64Imm('add', R2, -4)
    .ldMapFd(R1, counts)
    .call('map_lookup_elem')
    .jmpImm('jeq', R0, 0, 'out')
    .mov64Imm(R1, 1)
    .atomicAdd64(R0, 0, R1)
    .label('out')
    .mov64Imm(R0, 0)
    .exit();
  const p = a.link();
  assert.deepEqual(p.relocations, [{ kind: 'map_fd', insn: 3, map: counts }]);
  const bytes = patchMapFds(p, (m) => (m === counts ? 18 : -1));
  const expected = '620afcff00000000 bfa2000000000000 07020000fcffffff 1811000012000000 0000000000000000 ' +
    '8500000001000000 1500020000000000 b701000001000000 db10000000000000 b700000000000000 9500000000000000';
  assert.equal(bytes.toString('hex'), expected.replace(/ /g, ''));
  // Patching copies: the program keeps its placeholder so it can be loaded again with other fds.
  assert.equal(decodeInsn(p.insns, 3).imm, 0);
});

test('ALU encodings: 64/32-bit, imm/reg, signed div/mod, neg, endianness, movsx', () => {
  assert.deepEqual(hex((a) => a.mov64Imm(R1, 4)), ['b701000004000000']);
  assert.deepEqual(hex((a) => a.mov64Imm(R1, -1)), ['b7010000ffffffff']);
  assert.deepEqual(hex((a) => a.mov32Imm(R1, 0xffffffff)), ['b4010000ffffffff']);
  assert.deepEqual(hex((a) => a.mov64Reg(R6, R1)), ['bf16000000000000']);
  assert.deepEqual(hex((a) => a.mov32Reg(R6, R1)), ['bc16000000000000']);
  assert.deepEqual(hex((a) => a.alu64Imm('lsh', R1, 3)), ['6701000003000000']);
  assert.deepEqual(hex((a) => a.alu64Reg('sub', R1, R2)), ['1f21000000000000']);
  assert.deepEqual(hex((a) => a.alu32Imm('xor', R1, 1)), ['a401000001000000']);
  assert.deepEqual(hex((a) => a.alu32Reg('arsh', R1, R2)), ['cc21000000000000']);
  assert.deepEqual(hex((a) => a.alu64Imm('sdiv', R1, 3)), ['3701010003000000']);
  assert.deepEqual(hex((a) => a.alu64Reg('smod', R1, R2)), ['9f21010000000000']);
  assert.deepEqual(hex((a) => a.neg64(R1)), ['8701000000000000']);
  assert.deepEqual(hex((a) => a.be(R1, 16)), ['dc01000010000000']);
  assert.deepEqual(hex((a) => a.le(R1, 64)), ['d401000040000000']);
  assert.deepEqual(hex((a) => a.bswap(R1, 32)), ['d701000020000000']);
  assert.deepEqual(hex((a) => a.movsx64(R1, R2, 16)), ['bf21100000000000']);
  assert.deepEqual(hex((a) => a.movsx32(R1, R2, 8)), ['bc21080000000000']);
});

test('memory encodings: ldx, sign-extending ldx, stx, st, atomics', () => {
  assert.deepEqual(hex((a) => a.ldxDW(R2, R1, 16)), ['7912100000000000']);
  assert.deepEqual(hex((a) => a.ldxB(R2, R1, -1)), ['7112ffff00000000']);
  assert.deepEqual(hex((a) => a.ldxs('h', R2, R1, 2)), ['8912020000000000']);
  assert.deepEqual(hex((a) => a.stxW(R10, -8, R3)), ['633af8ff00000000']);
  assert.deepEqual(hex((a) => a.stxDW(R10, -16, R1)), ['7b1af0ff00000000']);
  assert.deepEqual(hex((a) => a.stImm('h', R10, -2, 0x1234)), ['6a0afeff34120000']);
  assert.deepEqual(hex((a) => a.stDW(R10, -8, -1)), ['7a0af8ffffffffff']);
  assert.deepEqual(hex((a) => a.atomicAdd32(R0, 4, R1)), ['c310040000000000']);
  assert.deepEqual(hex((a) => a.atomic('fetch_add', 'dw', R0, 0, R1)), ['db10000001000000']);
  assert.deepEqual(hex((a) => a.atomic('or', 'dw', R0, 0, R1)), ['db10000040000000']);
  assert.deepEqual(hex((a) => a.atomic('fetch_xor', 'w', R0, 0, R1)), ['c3100000a1000000']);
  assert.deepEqual(hex((a) => a.atomic('xchg', 'dw', R0, 0, R1)), ['db100000e1000000']);
  assert.deepEqual(hex((a) => a.atomic('cmpxchg', 'dw', R6, 8, R1)), ['db160800f1000000']);
  assert.deepEqual(hex((a) => a.loadAcquire('dw', R2, R1, 0)), ['db12000000010000']);
  assert.deepEqual(hex((a) => a.storeRelease('w', R1, 0, R2)), ['c321000010010000']);
});

test('calls: helpers by name or id, kfuncs as relocations', () => {
  assert.deepEqual(hex((a) => a.call('ringbuf_output')), ['8500000082000000']);
  assert.deepEqual(hex((a) => a.call(181)), ['85000000b5000000']);
  assert.deepEqual(hex((a) => a.label('t').mayGoto('t')), ['e500ffff00000000']);
  assert.deepEqual(hex((a) => a.gotol('t').label('t')), ['0600000000000000']);
  const a = new Assembler();
  a.callKfunc('bpf_rcu_read_lock').exit();
  const p = a.link();
  assert.deepEqual(p.relocations, [{ kind: 'kfunc', insn: 0, name: 'bpf_rcu_read_lock' }]);
  assert.equal(p.insns.subarray(0, 8).toString('hex'), '8520000000000000');
  const patched = resolveRelocations(p, { mapFd: () => 0, kfunc: () => ({ btfId: 0x1234, btfFdIndex: 2 }) });
  assert.equal(patched.subarray(0, 8).toString('hex'), '8520020034120000');
  assert.throws(() => patchMapFds(p, () => 0), /kfunc bpf_rcu_read_lock.*no kfunc resolver/);
});

test('ld_imm64 takes two slots: low half in the first imm, high half in the second', () => {
  assert.deepEqual(hex((a) => a.ldImm64(R1, 0x1122334455667788n)), ['1801000088776655', '0000000044332211']);
  assert.deepEqual(hex((a) => a.ldImm64(R1, -2n)), ['18010000feffffff', '00000000ffffffff']);
  assert.deepEqual(hex((a) => a.ldImm64(R1, 0xffffffffffffffffn)), ['18010000ffffffff', '00000000ffffffff']);
  assert.deepEqual(hex((a) => a.ldImm64(R1, 5)), ['1801000005000000', '0000000000000000']);
  const m = { name: 'globals' };
  const a = new Assembler();
  a.mov64Imm(R0, 0).ldMapValue(R1, m, 24).exit();
  const p = a.link();
  assert.deepEqual(p.relocations, [{ kind: 'map_value', insn: 1, map: m, offset: 24 }]);
  assert.equal(patchMapFds(p, () => 7).subarray(8, 24).toString('hex'), '1821000007000000' + '0000000018000000');
});

test('immediates are range-checked where the kernel would silently sign-extend', () => {
  const a = new Assembler();
  assert.throws(() => a.mov64Imm(R1, 0x80000000), /does not fit a sign-extended 32-bit field.*ldImm64/);
  assert.throws(() => a.jmpImm('jeq', R1, 0xffffffff, 'x'), /sign-extended/);
  assert.throws(() => a.mov32Imm(R1, 0x100000000), /does not fit in 32 bits/);
  assert.throws(() => a.ldxW(R1, R2, 0x8000), /offset 32768 does not fit in 16 bits/);
  assert.throws(() => a.alu64Imm('div', R1, 0), /div by the constant 0/);
  assert.throws(() => a.alu32Imm('lsh', R1, 32), /shift by 32 is out of range for a 32-bit operation/);
  assert.throws(() => a.ldImm64(R1, 1n << 64n), /does not fit in 64 bits/);
  assert.throws(() => a.ldImm64(R1, 2 ** 60), /not a safe integer; pass a bigint/);
  assert.equal(a.pc, 0, 'rejected instructions are not emitted');
});

test('helper ids follow the kernel enum (verified against uapi bpf.h)', () => {
  const expected: [string, number][] = [
    ['map_lookup_elem', 1], ['map_update_elem', 2], ['map_delete_elem', 3], ['ktime_get_ns', 5],
    ['trace_printk', 6], ['get_prandom_u32', 7], ['get_smp_processor_id', 8], ['get_current_pid_tgid', 14],
    ['get_current_uid_gid', 15], ['get_current_comm', 16], ['get_stackid', 27], ['get_current_task', 35],
    ['probe_read_str', 45], ['probe_read_user', 112], ['probe_read_kernel', 113], ['probe_read_user_str', 114],
    ['probe_read_kernel_str', 115], ['ktime_get_boot_ns', 125], ['ringbuf_output', 130],
    ['ringbuf_reserve', 131], ['ringbuf_submit', 132], ['ringbuf_discard', 133],
    ['get_current_task_btf', 158], ['snprintf', 165], ['get_func_ip', 173], ['get_attach_cookie', 174],
    ['loop', 181], ['strncmp', 182], ['cgrp_storage_delete', 211],
  ];
  for (const [name, id] of expected) {
    assert.equal(Object.getOwnPropertyDescriptor(HELPERS, name)?.value, id, name);
    assert.equal(helperName(id), name);
  }
  assert.equal(Object.keys(HELPERS).length, 212, 'ids 0..211 with no gaps');
  assert.equal(helperId('get_stack'), 67);
  assert.equal(helperName(212), undefined);
});
