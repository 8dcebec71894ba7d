// BPF linking: label resolution both ways, range errors, subprograms, limits, spans per slot.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { AsmError, Assembler } from '../../src/bpf/asm.js';
import { decodeInsn, R0, R1, R2, R6 } from '../../src/bpf/insn.js';
import type { Span } from '../../src/bpf/program.js';

function thrown(f: () => unknown): AsmError {
  try {
    f();
  } catch (e) {
    if (e instanceof AsmError) return e;
    throw e;
  }
  assert.fail('expected an AsmError');
}

test('forward and backward jumps resolve to pc-relative offsets', () => {
  const a = new Assembler();
  a.mov64Imm(R1, 0)
    .label('top') // 1
    .jmpImm('jge', R1, 10, 'done') // 1 -> 6: off +4
    .alu64Imm('add', R1, 1) // 2
    .ldImm64(R2, 1n) // 3 and 4
    .ja('top') // 5 -> 1: off -5
    .label('done')
    .mov64Reg(R0, R1) // 6
    .exit();
  const p = a.link();
  assert.equal(decodeInsn(p.insns, 1).off, 4);
  assert.equal(decodeInsn(p.insns, 5).off, -5);
});

test('a jump to the next instruction has offset 0; a label may carry several names', () => {
  const a = new Assembler();
  a.jmpImm('jeq', R1, 0, 'x').label('x').label('y').ja('y').exit();
  const p = a.link();
  assert.equal(decodeInsn(p.insns, 0).off, 0);
  assert.equal(decodeInsn(p.insns, 1).off, -1);
});

test('out-of-range 16-bit jumps are an error naming the label and distance; gotol reaches', () => {
  const build = (far: (a: Assembler) => void): Assembler => {
    const a = new Assembler();
    far(a);
    for (let i = 0; i < 32768; i++) a.mov64Imm(R0, 0);
    a.label('far').exit();
    return a;
  };
  const e = thrown(() => build((a) => a.jmpImm('jeq', R1, 0, 'far')).link());
  assert.match(e.message, /jump to label 'far' is 32768 instructions away, beyond the 16-bit jump offset range \(-32768\.\.32767\)/);
  assert.equal(e.insn, 0);
  const p = build((a) => a.gotol('far')).link();
  assert.equal(decodeInsn(p.insns, 0).imm, 32768);
  // Exactly at the limit is fine.
  const q = (() => {
    const a = new Assembler();
    a.ja('far');
    for (let i = 0; i < 32767; i++) a.mov64Imm(R0, 0);
    return a.label('far').exit().link();
  })();
  assert.equal(decodeInsn(q.insns, 0).off, 32767);
});

test('undefined and duplicate labels, and labels past the end, are errors at the using instruction', () => {
  const span: Span = { file: 't.stp', line: 3, col: 5 };
  const a = new Assembler();
  a.mov64Imm(R0, 0).at(span).jmpImm('jeq', R0, 0, 'nowhere').exit();
  const e = thrown(() => a.link());
  assert.equal(e.message, "undefined label 'nowhere'");
  assert.equal(e.insn, 1);
  assert.equal(e.span, span);
  assert.throws(() => new Assembler().label('x').label('x'), /label 'x' is defined twice/);
  const b = new Assembler();
  b.ja('end').exit().label('end');
  assert.throws(() => b.link(), /label 'end' is at the end of the program/);
});

test('BPF-to-BPF calls and callbacks point at subprograms; functions are reported', () => {
  const a = new Assembler('prog');
  a.mov64Imm(R1, 1) // 0
    .callLocal('double') // 1 -> 6: imm +4
    .ldFunc(R2, 'cb') // 2-3 -> 8: imm +5
    .call('loop') // 4
    .exit() // 5
    .func('double') // 6
    .alu64Imm('lsh', R1, 1)
    .mov64Reg(R0, R1)
    .exit()
    .func('cb') // 9
    .mov64Imm(R0, 0)
    .exit();
  const p = a.link();
  assert.deepEqual(p.functions, [
    { name: 'prog', start: 0, end: 6 }, { name: 'double', start: 6, end: 9 }, { name: 'cb', start: 9, end: 11 },
  ]);
  assert.deepEqual(decodeInsn(p.insns, 1), { code: 0x85, dst: 0, src: 1, off: 0, imm: 4 });
  assert.deepEqual(decodeInsn(p.insns, 2), { code: 0x18, dst: 2, src: 4, off: 0, imm: 6 });
  // func() at pc 0 names the entry instead of adding an empty subprogram.
  const b = new Assembler();
  b.func('entry').exit();
  assert.deepEqual(b.link().functions, [{ name: 'entry', start: 0, end: 1 }]);
});

test('subprogram structure errors: crossing jumps, non-function call targets, falling off the end', () => {
  const a = new Assembler();
  a.jmpImm('jeq', R1, 0, 'inside').exit().func('f').label('inside').mov64Imm(R0, 0).exit();
  assert.throws(() => a.link(), /jump from function 'main' to label 'inside' in function 'f': jumps cannot cross subprograms/);

  const b = new Assembler();
  b.callLocal('plain').exit().label('plain').exit();
  assert.throws(() => b.link(), /'plain' is a label, not a subprogram: declare call targets with func\(\)/);

  const c = new Assembler();
  c.callLocal('missing').exit();
  assert.throws(() => c.link(), /undefined function 'missing'/);

  const d = new Assembler();
  d.mov64Imm(R0, 0).func('f').mov64Imm(R0, 1).exit();
  const e = thrown(() => d.link());
  assert.match(e.message, /function 'main' does not end with exit or goto/);
  assert.equal(e.insn, 0);

  const f = new Assembler();
  // The tail slot of an ld_imm64 is not an instruction, whatever its bytes.
  f.exit().emit({ code: 0x18, dst: 1, src: 0, off: 0, imm: 0 }).emit({ code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });
  assert.throws(() => f.link(), /does not end with exit or goto/);
});

test('limits: empty programs, instruction count, subprogram count', () => {
  assert.throws(() => new Assembler().link(), /empty program/);
  const a = new Assembler();
  for (let i = 0; i < 10; i++) a.mov64Imm(R0, 0);
  a.exit();
  assert.throws(() => a.link({ maxInsns: 10 }), /program too large: 11 instructions, the kernel loads at most 10/);
  assert.equal(a.link({ maxInsns: 11 }).insns.length, 88);
  const b = new Assembler();
  b.exit();
  for (let i = 0; i < 256; i++) b.func(`f${i}`).exit();
  assert.throws(() => b.link(), /too many subprograms: 257, the verifier allows 256/);
});

test('every slot carries the span in force when it was emitted, ld_imm64 tails included', () => {
  const s1: Span = { file: 'a.stp', line: 1 };
  const s2: Span = { file: 'a.stp', line: 2 };
  const a = new Assembler();
  a.mov64Imm(R6, 0).at(s1).ldImm64(R1, 1n).mov64Imm(R2, 0).at(s2).mov64Imm(R0, 0).at(null).exit();
  const p = a.link();
  assert.deepEqual(p.spans, [null, s1, s1, s1, s2, null]);
  assert.equal(p.spans[2], s1, 'spans are the caller\'s objects, not copies');
  assert.equal(a.currentSpan, null);
});

test('spans are the caller\'s type: a token-like object with extra fields round-trips', () => {
  interface Tok { file: { name: string }; line: number; col: number; content: string }
  const t: Tok = { file: { name: 'x.stp' }, line: 7, col: 2, content: 'count' };
  const a = new Assembler<{ name: string }, Tok>();
  a.at(t).mov64Imm(R0, 0).exit();
  const got: (Tok | null)[] = a.link().spans;
  assert.equal(got[1]?.content, 'count');
});

test('assembly errors carry the pc and span of the instruction being emitted', () => {
  const span: Span = { file: 'b.stp', line: 9 };
  const a = new Assembler();
  a.mov64Imm(R0, 0).at(span);
  const e = thrown(() => a.mov64Imm(R1, 2 ** 40));
  assert.equal(e.insn, 1);
  assert.equal(e.span, span);
});

test('fresh labels never collide; link can run again after more code is added', () => {
  const a = new Assembler();
  const l1 = a.fresh('loop');
  const l2 = a.fresh('loop');
  assert.notEqual(l1, l2);
  a.label(l1).mov64Imm(R0, 0).exit();
  assert.equal(a.link().insns.length, 16);
  a.label(l2).ja(l1);
  const p = a.link();
  assert.equal(decodeInsn(p.insns, 2).off, -3);
});
