// BPF disassembly: the kernel verifier's notation for every instruction class, source comments, subprogram headers.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Assembler } from '../../src/bpf/asm.js';
import { disassemble, disassembleProgram, formatInsn } from '../../src/bpf/disasm.js';
import { R0, R1, R2, R3, R6, R7, R8, R9, R10 } from '../../src/bpf/insn.js';
import { resolveRelocations, type Span } from '../../src/bpf/program.js';

// The program below was loaded on Linux 6.18 (SOCKET_FILTER, log_level 2) while this was written;
// these lines are the verifier's own log text for it. Only the two map loads differ: the kernel
// prints the map's kernel address there, we print bpftool's map[...] notation.
const KERNEL_TEXT = `0: (7a) *(u64 *)(r10 -8) = 0
1: (62) *(u32 *)(r10 -12) = -5
2: (6a) *(u16 *)(r10 -14) = 7
3: (72) *(u8 *)(r10 -15) = 1
4: (b7) r6 = -3
5: (b4) w7 = -1
6: (bf) r8 = r6
7: (bc) w9 = w7
8: (07) r6 += 5
9: (17) r6 -= 1
10: (27) r6 *= 3
11: (37) r6 /= 2
12: (37) r6 s/= -2
13: (97) r6 %= 7
14: (97) r6 s%= -7
15: (47) r6 |= 1
16: (57) r6 &= 255
17: (67) r6 <<= 3
18: (77) r6 >>= 1
19: (c7) r6 s>>= 1
20: (a7) r6 ^= -1
21: (04) w7 += -2147483648
22: (1c) w7 -= w6
23: (2f) r6 *= r7
24: (3f) r6 s/= r8
25: (9c) w7 s%= w8
26: (6c) w7 <<= w8
27: (87) r6 = -r6
28: (84) w7 = -w7
29: (dc) r6 = be16 r6
30: (d4) r6 = le32 r6
31: (dc) r6 = be64 r6
32: (d7) r7 = bswap16 r7
33: (d7) r7 = bswap32 r7
34: (d7) r7 = bswap64 r7
35: (bf) r8 = (s8)r6
36: (bf) r8 = (s16)r6
37: (bf) r8 = (s32)r6
38: (bc) w9 = (s8)w7
39: (bc) w9 = (s16)w7
40: (79) r1 = *(u64 *)(r10 -8)
41: (61) r2 = *(u32 *)(r10 -12)
42: (69) r3 = *(u16 *)(r10 -14)
43: (71) r4 = *(u8 *)(r10 -15)
44: (81) r1 = *(s32 *)(r10 -12)
45: (89) r2 = *(s16 *)(r10 -14)
46: (91) r3 = *(s8 *)(r10 -15)
47: (7b) *(u64 *)(r10 -24) = r6
48: (63) *(u32 *)(r10 -28) = r7
49: (6b) *(u16 *)(r10 -30) = r7
50: (73) *(u8 *)(r10 -31) = r7
51: (b7) r1 = 1
52: (db) lock *(u64 *)(r10 -24) += r1
53: (db) lock *(u64 *)(r10 -24) |= r1
54: (c3) lock *(u32 *)(r10 -28) &= r1
55: (c3) lock *(u32 *)(r10 -28) ^= r1
56: (db) r1 = atomic64_fetch_add((u64 *)(r10 -24), r1)
57: (c3) r1 = atomic_fetch_or((u32 *)(r10 -28), r1)
58: (db) r1 = atomic64_fetch_and((u64 *)(r10 -24), r1)
59: (c3) r1 = atomic_fetch_xor((u32 *)(r10 -28), r1)
60: (db) r1 = atomic64_xchg((u64 *)(r10 -24), r1)
61: (b7) r0 = 0
62: (c3) r0 = atomic_cmpxchg((u32 *)(r10 -28), r0, r1)
63: (db) r2 = load_acquire((u64 *)(r10 -24))
64: (c3) store_release((u32 *)(r10 -28), r2)
65: (18) r1 = 0x123456789abcdef
67: (18) r2 = 0xffffffffffffffff
69: (18) r1 = map[arr]
71: (18) r3 = map[arr][0]+4
73: (15) if r6 == 0x0 goto pc+0
74: (55) if r6 != 0xffffffff goto pc+0
75: (2d) if r6 > r7 goto pc+0
76: (36) if w7 >= 0x5 goto pc+0
77: (ae) if w7 < w6 goto pc+0
78: (b5) if r6 <= 0x3 goto pc+0
79: (45) if r6 & 0x4 goto pc+0
80: (65) if r6 s> 0xfffffffc goto pc+0
81: (7d) if r6 s>= r7 goto pc+0
82: (c6) if w6 s< 0x1 goto pc+0
83: (de) if w6 s<= w7 goto pc+0
84: (05) goto pc+0
85: (06) gotol pc+0
86: (85) call bpf_ktime_get_ns#5
87: (b7) r1 = 4
88: (b7) r3 = 0
89: (85) call bpf_get_prandom_u32#7
90: (b7) r2 = 0
91: (15) if r0 == 0x1 goto pc+1
92: (85) call bpf_rcu_read_lock#65481
93: (b7) r1 = 7
94: (85) call pc+2
95: (b7) r0 = 0
96: (95) exit
97: (bf) r0 = r1
98: (95) exit
`;

test('assemble → disassemble gives the verifier log text for every instruction class', () => {
  const arr = { name: 'arr' };
  const a = new Assembler();
  a.stDW(R10, -8, 0).stW(R10, -12, -5).stH(R10, -14, 7).stB(R10, -15, 1)
    .mov64Imm(R6, -3).mov32Imm(R7, 0xffffffff).mov64Reg(R8, R6).mov32Reg(R9, R7)
    .alu64Imm('add', R6, 5).alu64Imm('sub', R6, 1).alu64Imm('mul', R6, 3).alu64Imm('div', R6, 2)
    .alu64Imm('sdiv', R6, -2).alu64Imm('mod', R6, 7).alu64Imm('smod', R6, -7)
    .alu64Imm('or', R6, 1).alu64Imm('and', R6, 0xff).alu64Imm('lsh', R6, 3).alu64Imm('rsh', R6, 1)
    .alu64Imm('arsh', R6, 1).alu64Imm('xor', R6, -1)
    .alu32Imm('add', R7, 0x80000000).alu32Reg('sub', R7, R6).alu64Reg('mul', R6, R7).alu64Reg('sdiv', R6, R8)
    .alu32Reg('smod', R7, R8).alu32Reg('lsh', R7, R8)
    .neg64(R6).neg32(R7).be(R6, 16).le(R6, 32).be(R6, 64).bswap(R7, 16).bswap(R7, 32).bswap(R7, 64)
    .movsx64(R8, R6, 8).movsx64(R8, R6, 16).movsx64(R8, R6, 32).movsx32(R9, R7, 8).movsx32(R9, R7, 16)
    .ldxDW(R1, R10, -8).ldxW(R2, R10, -12).ldxH(R3, R10, -14).ldxB(4, R10, -15)
    .ldxs('w', R1, R10, -12).ldxs('h', R2, R10, -14).ldxs('b', R3, R10, -15)
    .stxDW(R10, -24, R6).stxW(R10, -28, R7).stxH(R10, -30, R7).stxB(R10, -31, R7)
    .mov64Imm(R1, 1)
    .atomic('add', 'dw', R10, -24, R1).atomic('or', 'dw', R10, -24, R1)
    .atomic('and', 'w', R10, -28, R1).atomic('xor', 'w', R10, -28, R1)
    .atomic('fetch_add', 'dw', R10, -24, R1).atomic('fetch_or', 'w', R10, -28, R1)
    .atomic('fetch_and', 'dw', R10, -24, R1).atomic('fetch_xor', 'w', R10, -28, R1)
    .atomic('xchg', 'dw', R10, -24, R1).mov64Imm(R0, 0).atomic('cmpxchg', 'w', R10, -28, R1)
    .loadAcquire('dw', R2, R10, -24).storeRelease('w', R10, -28, R2)
    .ldImm64(R1, 0x123456789abcdefn).ldImm64(R2, -1n)
    .ldMapFd(R1, arr).ldMapValue(R3, arr, 4)
    .jmpImm('jeq', R6, 0, 'a').label('a').jmpImm('jne', R6, -1, 'b').label('b')
    .jmpReg('jgt', R6, R7, 'c').label('c').jmp32Imm('jge', R7, 5, 'd').label('d')
    .jmp32Reg('jlt', R7, R6, 'e').label('e').jmpImm('jle', R6, 3, 'f').label('f')
    .jmpImm('jset', R6, 4, 'g').label('g').jmpImm('jsgt', R6, -4, 'h').label('h')
    .jmpReg('jsge', R6, R7, 'i').label('i').jmp32Imm('jslt', R6, 1, 'j').label('j')
    .jmp32Reg('jsle', R6, R7, 'k').label('k')
    .ja('l').label('l').gotol('m').label('m')
    .call('ktime_get_ns').mov64Imm(R1, 4).mov64Imm(R3, 0).call('get_prandom_u32').mov64Imm(R2, 0)
    .jmpImm('jeq', R0, 1, 'z').callKfunc('bpf_rcu_read_lock').label('z')
    .mov64Imm(R1, 7).callLocal('sub').mov64Imm(R0, 0).exit()
    .func('sub').mov64Reg(R0, R1).exit();
  const p = a.link();
  const bytes = resolveRelocations(p, { mapFd: () => 3, kfunc: () => ({ btfId: 65481 }) });
  assert.equal(disassemble(bytes, { relocations: p.relocations }), KERNEL_TEXT);
  // Unpatched bytes read the same but for the kfunc id, still 0.
  assert.equal(disassembleProgram(p, { headers: false }),
    KERNEL_TEXT.replace('bpf_rcu_read_lock#65481', 'bpf_rcu_read_lock#0'));
});

test('instructions the builder does not make, and malformed ones, print as the kernel does', () => {
  const f = (code: number, dst = 0, src = 0, off = 0, imm = 0): string => formatInsn({ code, dst, src, off, imm });
  assert.equal(f(0xe5, 0, 0, 3), '(e5) may_goto pc+3');
  assert.equal(f(0x85, 0, 0, 0, 999), '(85) call unknown#999');
  assert.equal(f(0x85, 0, 2, 0, 77), '(85) call kernel-function#77');
  assert.equal(f(0x85, 0, 1, 0, -4), '(85) call pc-4');
  assert.equal(f(0x30, 0, 0, 0, 12), '(30) r0 = *(u8 *)skb[12]');
  assert.equal(f(0x48, 0, 3, 0, 2), '(48) r0 = *(u16 *)skb[r3 + 2]');
  assert.equal(f(0xc2), '(c2) nospec');
  assert.equal(f(0xbf, 1, 2, 1, 0x00010002), '(bf) r1 = addr_space_cast(r2, 1, 2)');
  assert.equal(f(0xe7, 1, 0, 0, 1), '(e7) r1 (null) 1');
  assert.equal(f(0xdb, 1, 2, 0, 0x33), 'BUG_db');
  assert.equal(f(0x3a), 'BUG_st_3a');
  assert.equal(f(0x21), 'BUG_ldx_21');
  assert.equal(f(0x60), 'BUG_ld_60');
  const next = { code: 0, dst: 0, src: 0, off: 0, imm: 16 };
  assert.equal(formatInsn({ code: 0x18, dst: 1, src: 1, off: 0, imm: 5 }, next), '(18) r1 = map[fd:5]');
  assert.equal(formatInsn({ code: 0x18, dst: 1, src: 2, off: 0, imm: 5 }, next), '(18) r1 = map[fd:5][0]+16');
  assert.equal(formatInsn({ code: 0x18, dst: 1, src: 5, off: 0, imm: 2 }, next), '(18) r1 = map[idx:2]');
  assert.equal(formatInsn({ code: 0x18, dst: 1, src: 6, off: 0, imm: 2 }, next), '(18) r1 = map[idx:2]+16');
  assert.equal(formatInsn({ code: 0x18, dst: 2, src: 4, off: 0, imm: 7 }, next), '(18) r2 = subprog[+7]');
  assert.equal(formatInsn({ code: 0x18, dst: 2, src: 0, off: 0, imm: -1 }, next), '(18) r2 = 0x10ffffffff');
});

test('source comments precede instructions whose span changes; headers mark subprograms', () => {
  const l1: Span = { file: 'x.stp', line: 1, col: 1 };
  const l1b: Span = { file: 'x.stp', line: 1, col: 9 }; // same line: no new comment
  const l4: Span = { file: { name: 'tapset/ctx.stp' }, line: 4 };
  const a = new Assembler('probe_0');
  a.at(l1).mov64Imm(R1, 1).at(l1b).callLocal('ctx').at(null).mov64Imm(R0, 0).at(l1).exit()
    .func('ctx').at(l4).ldImm64(R0, 42n).exit();
  const p = a.link();
  assert.equal(disassembleProgram(p),
    'probe_0:\n' +
    '; x.stp:1\n' +
    '0: (b7) r1 = 1\n' +
    '1: (85) call pc+2\n' +
    '2: (b7) r0 = 0\n' +
    '; x.stp:1\n' +
    '3: (95) exit\n' +
    'ctx:\n' +
    '; tapset/ctx.stp:4\n' +
    '4: (18) r0 = 0x2a\n' +
    '6: (95) exit\n');
  assert.equal(disassembleProgram(p, { headers: false, formatSpan: (s) => `line ${s.line}` }).split('\n')[0], '; line 1');
});

test('maps print by name, or as the loader chooses; single-function programs get no header', () => {
  const m = { name: 'hits', id: 23 };
  const a = new Assembler<typeof m>();
  a.ldMapFd(R1, m).mov64Imm(R0, 0).exit();
  const p = a.link();
  assert.equal(disassembleProgram(p), '0: (18) r1 = map[hits]\n2: (b7) r0 = 0\n3: (95) exit\n');
  assert.equal(disassembleProgram(p, { mapLabel: (x) => `id:${x.id}` }).split('\n')[0], '0: (18) r1 = map[id:23]');
  assert.equal(disassemble(Buffer.alloc(0)), '');
});
