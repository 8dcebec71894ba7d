// Strings in kernel handlers: MAXSTRINGLEN-byte slots (rounded up to whole 8-byte words) in the
// per-CPU scratch area, in map values and map keys. A slot holds a NUL-terminated string that is
// "word-padded": the bytes after the NUL up to the end of its word are zero, the words after that
// are whatever was there. That is enough to compare strings a word at a time (the word whose top
// byte is 0 holds the end), and it spares clearing a whole 512-byte slot per temporary: a copy
// costs one probe_read_kernel_str for the bytes in use plus a fix-up of the last word. Map keys,
// which the kernel hashes and compares whole, are cleared in full before the string goes in.

import type { Assembler } from '../asm.js';
import { R0, R1, R2, R3, R4, R5, type Reg } from '../insn.js';
import type { MapSpec } from '../spec.js';
import type { Token } from '../../parse/token.js';

/** Bytes of a string slot: MAXSTRINGLEN rounded up to a whole word. */
export function slotSize(maxLen: number): number {
  return Math.ceil(maxLen / 8) * 8;
}

/** Smallest MAXSTRINGLEN kernel strings honour (execname and errno names fit whole). */
export const KSTR_MIN = 16;

/** Above this many bytes, clearing goes through one helper call instead of inline stores. */
const INLINE_ZERO = 64;

export interface StringSite {
  /** The assembler code goes to (the handler's, or a callback's). */
  asm(): Assembler<MapSpec, Token>;
  fresh(hint: string): string;
  /** Where SLOT zero bytes sit in the constants map (a source for clearing). */
  zeros(): { map: MapSpec; offset: number };
}

export class KernelStrings {
  /** Bytes of a slot. */
  readonly slot: number;

  constructor(private readonly site: StringSite, /** MAXSTRINGLEN: at most this - 1 bytes and a NUL. */ readonly maxLen: number) {
    this.slot = slotSize(maxLen);
  }

  /** The empty string at [base+off] (word-padded: one zero word). */
  empty(base: Reg, off: number): void {
    this.site.asm().stDW(base, off, 0);
  }

  /** Clears `bytes` (a multiple of 8) at [base+off]. */
  zero(base: Reg, off: number, bytes: number): void {
    const a = this.site.asm();
    if (bytes <= INLINE_ZERO) {
      for (let i = 0; i < bytes; i += 8) a.stDW(base, off + i, 0);
      return;
    }
    const z = this.site.zeros();
    a.mov64Reg(R1, base);
    a.alu64Imm('add', R1, off);
    a.mov64Imm(R2, bytes);
    a.ldMapValue(R3, z.map, z.offset);
    a.call('probe_read_kernel');
  }

  /**
   * Copies the string at [src+srcOff] to [dst+dstOff], at most `size` - 1 bytes (default
   * MAXSTRINGLEN - 1). `dst` must survive a helper call (R6-R9 or the frame pointer).
   */
  copy(dst: Reg, dstOff: number, src: Reg, srcOff: number, size = this.maxLen, helper: 'probe_read_kernel_str' | 'probe_read_user_str' = 'probe_read_kernel_str'): void {
    const a = this.site.asm();
    a.mov64Reg(R3, src);
    a.alu64Imm('add', R3, srcOff);
    a.mov64Reg(R1, dst);
    a.alu64Imm('add', R1, dstOff);
    a.mov64Imm(R2, size);
    a.call(helper);
    this.fixTail(dst, dstOff);
  }

  /**
   * Copies a string into a map value ([dst+dstOff], any register): no fix-up of the last word,
   * since whatever reads a value back copies it with `copy` first (user space reads up to the NUL).
   */
  store(dst: Reg, dstOff: number, src: Reg, srcOff: number): void {
    const a = this.site.asm();
    a.mov64Reg(R3, src);
    a.alu64Imm('add', R3, srcOff);
    a.mov64Reg(R1, dst);
    a.alu64Imm('add', R1, dstOff);
    a.mov64Imm(R2, this.maxLen);
    a.call('probe_read_kernel_str');
  }

  /**
   * After a helper wrote a string at [dst+dstOff] and returned its length with the NUL in R0
   * (probe_read_*_str; bpf_snprintf, whose length may exceed the buffer when it truncated):
   * clears the NUL's word after the NUL. A failed helper (R0 <= 0) leaves "".
   */
  fixTail(dst: Reg, dstOff: number): void {
    const a = this.site.asm();
    const ok = this.site.fresh('tlen');
    const inside = this.site.fresh('tin');
    const done = this.site.fresh('tdone');
    a.mov64Reg(R1, R0);
    a.jmpImm('jsgt', R1, 0, ok);
    a.stDW(dst, dstOff, 0);
    a.ja(done);
    a.label(ok);
    a.jmpImm('jle', R1, this.maxLen, inside);
    a.mov64Imm(R1, this.maxLen); // truncated: the NUL is the buffer's last byte
    a.label(inside);
    a.alu64Imm('sub', R1, 1); // the NUL's index, 0 .. MAXSTRINGLEN-1
    a.mov64Reg(R2, R1);
    a.alu64Imm('and', R2, -8);
    a.mov64Reg(R3, dst);
    a.alu64Imm('add', R3, dstOff);
    a.alu64Reg('add', R3, R2);
    a.ldxDW(R4, R3, 0);
    // Keep the (index % 8) bytes before the NUL: mask = (1 << 8 * (index % 8)) - 1.
    a.alu64Imm('and', R1, 7);
    a.alu64Imm('lsh', R1, 3);
    a.mov64Imm(R5, 1);
    a.alu64Reg('lsh', R5, R1);
    a.alu64Imm('sub', R5, 1);
    a.alu64Reg('and', R4, R5);
    a.stxDW(R3, 0, R4);
    a.label(done);
  }

  /** A constant string (latin1 bytes, cut to MAXSTRINGLEN - 1) at [base+off], word-padded. */
  literal(base: Reg, off: number, bytes: string): void {
    const a = this.site.asm();
    for (const [i, word] of literalWords(bytes, this.maxLen).entries()) {
      if (word === 0n) a.stDW(base, off + 8 * i, 0);
      else {
        a.ldImm64(R1, word);
        a.stxDW(base, off + 8 * i, R1);
      }
    }
  }

  /**
   * Compares the word-padded strings at [R7+l] and [R7+r] (any other base: `lBase`, `rBase`)
   * word by word: on to `equal` if they are the same, else falls through with the first
   * differing words in R1 and R2 as big-endian numbers (unsigned R1 vs R2 orders the strings
   * bytewise, as strcmp). Stops at the word holding the NUL.
   */
  difference(lBase: Reg, l: number, rBase: Reg, r: number, equal: string): void {
    const a = this.site.asm();
    const decided = this.site.fresh('sdiff');
    const words = this.slot / 8;
    for (let w = 0; w < words; w++) {
      a.ldxDW(R1, lBase, l + 8 * w);
      a.ldxDW(R2, rBase, r + 8 * w);
      a.jmpReg('jne', R1, R2, decided);
      if (w === words - 1) break;
      a.mov64Reg(R3, R1);
      a.alu64Imm('rsh', R3, 56);
      a.jmpImm('jeq', R3, 0, equal);
    }
    a.ja(equal);
    a.label(decided);
    a.be(R1, 64);
    a.be(R2, 64);
  }

  /**
   * Like `difference` against a constant string: only the literal's own words are compared
   * (its last one holds its NUL), R1 is the slot's word and R2 the literal's.
   */
  differenceFromLiteral(base: Reg, off: number, bytes: string, equal: string): void {
    const a = this.site.asm();
    const decided = this.site.fresh('ldiff');
    for (const [i, word] of literalWords(bytes, this.maxLen).entries()) {
      a.ldxDW(R1, base, off + 8 * i);
      a.ldImm64(R2, word);
      a.jmpReg('jne', R1, R2, decided);
    }
    a.ja(equal);
    a.label(decided);
    a.be(R1, 64);
    a.be(R2, 64);
  }
}

/** The words (little-endian) of `bytes` cut to maxLen - 1, with the NUL and its word's padding. */
function literalWords(bytes: string, maxLen: number): bigint[] {
  const n = Math.min(bytes.length, maxLen - 1);
  const words: bigint[] = [];
  for (let i = 0; i <= n; i += 8) {
    let word = 0n;
    for (let k = 7; k >= 0; k--) word = (word << 8n) | BigInt(i + k < n ? bytes.charCodeAt(i + k) & 0xff : 0);
    words.push(word);
  }
  return words;
}
