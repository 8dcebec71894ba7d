// Digits the kernel's bpf_snprintf cannot make (it has no %o), as straight-line eBPF: no loop
// and no branch, so the verifier walks each instruction once.

import type { Assembler } from '../asm.js';
import { R0, R1, R2, R3, type Reg } from '../insn.js';
import type { MapSpec } from '../spec.js';
import type { Token } from '../../parse/token.js';

/** Octal digits of a 64-bit value: 22 (the top one holds a single bit). */
export const OCTAL_DIGITS = 22;

/**
 * The 22 octal digits of the u64 at [fp+src], leading zeros included, at [base+off ..
 * base+off+21] and a NUL after them; R0 = how many are significant (1 to 22, "0" counting as
 * one), so the number starts at base+off+22-R0. Clobbers R1-R3.
 */
export function octalDigits(a: Assembler<MapSpec, Token>, fp: Reg, src: number, base: Reg, off: number): void {
  a.ldxDW(R1, fp, src);
  a.stImm('b', base, off + OCTAL_DIGITS, 0);
  for (let k = 0; k < OCTAL_DIGITS; k++) {
    a.mov64Reg(R2, R1);
    if (k > 0) a.alu64Imm('rsh', R2, 3 * k);
    if (k < OCTAL_DIGITS - 1) a.alu64Imm('and', R2, 7);
    a.alu64Imm('add', R2, 0x30);
    a.stxB(base, off + OCTAL_DIGITS - 1 - k, R2);
  }
  // R0 = floor(log2(v)) (0 for v = 0) by a branch-free binary search: at each step, shift by s
  // when anything is left above bit s.
  a.mov64Reg(R3, R1);
  a.mov64Imm(R0, 0);
  for (const [s, log] of [[32, 5], [16, 4], [8, 3], [4, 2], [2, 1], [1, 0]] as const) {
    a.mov64Reg(R2, R3);
    a.alu64Imm('rsh', R2, s);
    a.neg64(R2); // x >> s < 2^63: negative exactly when it is not 0
    a.alu64Imm('rsh', R2, 63);
    if (log > 0) a.alu64Imm('lsh', R2, log);
    a.alu64Reg('add', R0, R2);
    a.alu64Reg('rsh', R3, R2);
  }
  // digits = floor(log2) / 3 + 1; n / 3 is (n * 43) >> 7 for n < 64.
  a.alu64Imm('mul', R0, 43);
  a.alu64Imm('rsh', R0, 7);
  a.alu64Imm('add', R0, 1);
}
