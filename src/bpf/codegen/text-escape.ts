// string_quoted, text_str and text_strn in kernel handlers: stap's _stp_text_str (what the
// interpreter's intrinsics/escape.ts does) as a bpf_loop over the input's bytes. Printable ASCII
// is copied, C escapes (\n, \", ...) and \ooo replace other bytes, well-formed UTF-8 sequences
// become \uXXXX or \UXXXXXXXX. The output has a room; quoted output reserves two bytes for the
// quotes and, when input is left over, ends in `"...` placed so that no escape is cut in half.

import { R0, R1, R2, R3, R4, R5, R7 } from '../insn.js';
import type { ProbeGen } from './gen.js';

/** Scratch offsets of one escaping: input, output and the loop state between steps. */
interface EscapeState {
  src: number;
  out: number;
  /** Bytes written to out. */
  j: number;
  /** Bytes of output still allowed. */
  room: number;
  /** Where in out the first escape the `"...` ending could cut starts (-1: none yet), and its length. */
  esc: number;
  escLen: number;
  /** 1 when output ran out with input left. */
  truncated: number;
  /** Continuation bytes of a UTF-8 sequence already escaped, still to pass over. */
  skip: number;
  /** A continuation byte while it is checked. */
  spare: number;
}

const SHORT_ESCAPES = new Map([[0x07, 'a'], [0x08, 'b'], [0x0c, 'f'], [0x0a, 'n'], [0x0d, 'r'], [0x09, 't'], [0x0b, 'v'], [0x22, '"'], [0x5c, '\\']]);

/** Output bytes past the room an escape may write before it is counted (the longest is 10). */
const SPILL = 16;

export const textEscapeMethods = {
  /**
   * The escaped text of the string at scratch offset `src`. `room`: a stack slot with the
   * output's length limit as text_strn takes it (<= 0 or > MAXSTRINGLEN - 1: that), or null
   * for MAXSTRINGLEN - 1. Returns the output's scratch offset.
   */
  textEscape(this: ProbeGen, src: number, quoted: boolean, room: number | null): number {
    const a = this.a;
    const S = this.ks.maxLen;
    const out = this.scratch(this.SLOT + SPILL);
    const st = this.scratch(56);
    const q: EscapeState = { src, out, j: st, room: st + 8, esc: st + 16, escLen: st + 24, truncated: st + 32, skip: st + 40, spare: st + 48 };
    if (room === null) {
      a.mov64Imm(R1, S - 1);
    } else {
      const keep = this.fresh('tx_room');
      const max = this.fresh('tx_max');
      a.ldxDW(R1, this.fp, room);
      a.jmpImm('jsle', R1, 0, max);
      a.jmpImm('jsle', R1, S - 1, keep);
      a.label(max);
      a.mov64Imm(R1, S - 1);
      a.label(keep);
    }
    if (quoted) {
      // stap: max(room, 5) - 2, the opening quote written.
      const big = this.fresh('tx_big');
      a.jmpImm('jsge', R1, 5, big);
      a.mov64Imm(R1, 5);
      a.label(big);
      a.alu64Imm('sub', R1, 2);
      a.mov64Imm(R2, 0x22);
      a.stxB(R7, out, R2);
    }
    a.stxDW(R7, q.room, R1);
    a.mov64Imm(R1, quoted ? 1 : 0);
    a.stxDW(R7, q.j, R1);
    a.stDW(R7, q.esc, -1);
    a.stDW(R7, q.escLen, 0);
    a.stDW(R7, q.truncated, 0);
    a.stDW(R7, q.skip, 0);
    const step = this.callback('loop', () => this.escapeStep(q));
    this.runLoop(S - 1, step.name);
    this.dispatchEscapes(step.escaped);
    const end = this.fresh('tx_end');
    if (!quoted) {
      a.ldxDW(R0, R7, q.j);
      this.clampSigned(R0, 0, S - 1);
      this.terminate(out);
      return out;
    }
    const trunc = this.fresh('tx_trunc');
    a.ldxDW(R1, R7, q.truncated);
    a.jmpImm('jne', R1, 0, trunc);
    // The closing quote after the last byte.
    a.ldxDW(R3, R7, q.j);
    this.clampSigned(R3, 1, S - 2);
    this.putByte(out, R3, 0x22);
    a.mov64Reg(R0, R3);
    a.alu64Imm('add', R0, 1);
    a.ja(end);
    a.label(trunc);
    // cut = j - 3 + room, moved back to the remembered escape when that would cut it in half.
    a.ldxDW(R3, R7, q.j);
    a.ldxDW(R4, R7, q.room);
    a.alu64Reg('add', R3, R4);
    a.alu64Imm('sub', R3, 3);
    const keep = this.fresh('tx_keep');
    a.ldxDW(R1, R7, q.esc);
    a.jmpImm('jslt', R1, 0, keep);
    a.jmpReg('jsge', R1, R3, keep);
    a.ldxDW(R0, R7, q.escLen);
    a.alu64Reg('add', R0, R1);
    a.jmpReg('jsge', R3, R0, keep);
    a.mov64Reg(R3, R1);
    a.label(keep);
    this.clampSigned(R3, 1, S - 5);
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, out);
    a.alu64Reg('add', R1, R3);
    a.mov64Imm(R0, 0x22);
    a.stxB(R1, 0, R0);
    a.mov64Imm(R0, 0x2e);
    for (let k = 1; k <= 3; k++) a.stxB(R1, k, R0);
    a.mov64Reg(R0, R3);
    a.alu64Imm('add', R0, 4);
    a.label(end);
    this.terminate(out);
    return out;
  },

  /** out[R0] = NUL, then the slot's tail cleared (what the loop wrote past the end is cut off). */
  terminate(this: ProbeGen, out: number): void {
    const a = this.a;
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, out);
    a.alu64Reg('add', R1, R0);
    a.stB(R1, 0, 0);
    a.alu64Imm('add', R0, 1);
    this.ks.fixTail(R7, out);
  },

  /** out[at] = byte (`at` a register the verifier knows is in the slot). */
  putByte(this: ProbeGen, out: number, at: typeof R3, byte: number): void {
    const a = this.a;
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, out);
    a.alu64Reg('add', R1, at);
    a.mov64Imm(R0, byte);
    a.stxB(R1, 0, R0);
  },

  /** One input byte (the bpf_loop callback's body; R1 = its index). */
  escapeStep(this: ProbeGen, q: EscapeState): void {
    const a = this.a;
    const S = this.ks.maxLen;
    const stop = this.fresh('tx_stop');
    const trunc = this.fresh('tx_trunc');
    const escape = this.fresh('tx_esc');
    const single = this.fresh('tx_single');
    const next = this.fresh('tx_next');
    const fits = this.fresh('tx_fits');
    a.mov64Reg(R2, R1);
    a.jmpImm('jge', R2, S - 1, stop);
    // The rest of a UTF-8 sequence already written.
    const fresh = this.fresh('tx_fresh');
    a.ldxDW(R1, R7, q.skip);
    a.jmpImm('jeq', R1, 0, fresh);
    a.alu64Imm('sub', R1, 1);
    a.stxDW(R7, q.skip, R1);
    a.ja(next);
    a.label(fresh);
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, q.src);
    a.alu64Reg('add', R1, R2);
    a.ldxB(R5, R1, 0);
    a.jmpImm('jeq', R5, 0, stop);
    a.ldxDW(R4, R7, q.room);
    a.jmpImm('jsle', R4, 0, trunc);
    a.ldxDW(R3, R7, q.j);
    // Never taken (j + room stays below MAXSTRINGLEN, and an escape is only written when it fits
    // the room); it bounds j for the verifier.
    a.jmpImm('jgt', R3, S - 2, trunc);
    a.jmpImm('jlt', R5, 0x20, escape);
    a.jmpImm('jge', R5, 0x7f, escape);
    a.jmpImm('jeq', R5, 0x22, escape);
    a.jmpImm('jeq', R5, 0x5c, escape);
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, q.out);
    a.alu64Reg('add', R1, R3);
    a.stxB(R1, 0, R5);
    a.alu64Imm('add', R3, 1);
    a.stxDW(R7, q.j, R3);
    a.alu64Imm('sub', R4, 1);
    a.stxDW(R7, q.room, R4);
    a.ja(next);

    a.label(escape);
    // A UTF-8 sequence: R0 = its code point, R2 = its length (1: none, escape the byte alone).
    this.decodeUtf8(q, R2, single);
    // R0 = the code point, R2 = the sequence's bytes: \uXXXX (6) or \UXXXXXXXX (10).
    a.stxDW(R7, q.skip, R2); // provisional: only kept when the escape is written
    a.mov64Reg(R5, R0);
    a.mov64Imm(R0, 6);
    const bmp = this.fresh('tx_bmp');
    a.jmpImm('jle', R5, 0xffff, bmp);
    a.mov64Imm(R0, 10);
    a.label(bmp);
    this.markEscape(q, fits, trunc);
    a.label(fits);
    // R1 = where it goes, R0 = its length, R5 = the code point.
    a.mov64Reg(R2, R0);
    a.alu64Imm('sub', R2, 2); // hex digits
    a.mov64Imm(R0, 0x5c);
    a.stxB(R1, 0, R0);
    const wide = this.fresh('tx_wide');
    const digits = this.fresh('tx_digits');
    a.jmpImm('jeq', R2, 8, wide);
    a.mov64Imm(R0, 0x75); // u
    a.stxB(R1, 1, R0);
    for (let k = 0; k < 4; k++) this.hexDigit(R1, 2 + k, 12 - 4 * k);
    a.ja(digits);
    a.label(wide);
    a.mov64Imm(R0, 0x55); // U
    a.stxB(R1, 1, R0);
    for (let k = 0; k < 8; k++) this.hexDigit(R1, 2 + k, 28 - 4 * k);
    a.label(digits);
    // The sequence's other bytes are passed over.
    a.ldxDW(R1, R7, q.skip);
    a.alu64Imm('sub', R1, 1);
    a.stxDW(R7, q.skip, R1);
    a.ja(next);

    a.label(single);
    a.stDW(R7, q.skip, 0);
    // R0 = the escape's length: 2 for \n and kin, 4 for \ooo.
    a.mov64Imm(R0, 4);
    for (const c of SHORT_ESCAPES.keys()) {
      const no = this.fresh('tx_s');
      a.jmpImm('jne', R5, c, no);
      a.mov64Imm(R0, 2);
      a.label(no);
    }
    const fitsOne = this.fresh('tx_fits1');
    this.markEscape(q, fitsOne, trunc);
    a.label(fitsOne);
    a.mov64Imm(R0, 0x5c);
    a.stxB(R1, 0, R0);
    for (const [c, letter] of SHORT_ESCAPES) {
      const no = this.fresh('tx_s');
      a.jmpImm('jne', R5, c, no);
      a.mov64Imm(R0, letter.charCodeAt(0));
      a.stxB(R1, 1, R0);
      a.ja(next);
      a.label(no);
    }
    for (let k = 0; k < 3; k++) {
      a.mov64Reg(R0, R5);
      a.alu64Imm('rsh', R0, 6 - 3 * k);
      a.alu64Imm('and', R0, 7);
      a.alu64Imm('add', R0, 0x30);
      a.stxB(R1, 1 + k, R0);
    }
    a.label(next);
    a.mov64Imm(R0, 0);
    a.exit();
    a.label(trunc);
    a.stDW(R7, q.truncated, 1);
    a.label(stop);
    a.mov64Imm(R0, 1);
    a.exit();
  },

  /**
   * An escape of R0 bytes is about to be written at j (R3) with R4 room: remembers it when the
   * `"...` ending could cut it, goes to `trunc` when it does not fit, else takes its room and
   * goes to `fits` with R1 = where it starts in out (j advanced past it).
   */
  markEscape(this: ProbeGen, q: EscapeState, fits: string, trunc: string): void {
    const a = this.a;
    const noMark = this.fresh('tx_nomark');
    a.ldxDW(R1, R7, q.esc);
    a.jmpImm('jsge', R1, 0, noMark);
    a.mov64Reg(R1, R4);
    a.alu64Imm('sub', R1, 3);
    a.jmpReg('jsge', R1, R0, noMark);
    a.stxDW(R7, q.esc, R3);
    a.stxDW(R7, q.escLen, R0);
    a.label(noMark);
    a.jmpReg('jslt', R4, R0, trunc);
    a.alu64Reg('sub', R4, R0);
    a.stxDW(R7, q.room, R4);
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, q.out);
    a.alu64Reg('add', R1, R3);
    a.alu64Reg('add', R3, R0);
    a.stxDW(R7, q.j, R3);
    a.ja(fits);
  },

  /** [R1 + off] = the uppercase hex digit of R5's bits at `shift`. */
  hexDigit(this: ProbeGen, at: typeof R1, off: number, shift: number): void {
    const a = this.a;
    const digit = this.fresh('tx_hex');
    a.mov64Reg(R0, R5);
    a.alu64Imm('rsh', R0, shift);
    a.alu64Imm('and', R0, 15);
    a.alu64Imm('add', R0, 0x30);
    a.jmpImm('jle', R0, 0x39, digit);
    a.alu64Imm('add', R0, 0x41 - 0x3a);
    a.label(digit);
    a.stxB(at, off, R0);
  },

  /**
   * _stp_decode_utf8 at input index R2 (byte R5, 0x80 or more, or a control byte): R0 = the code
   * point and R2 = the sequence's length when it is well formed (no surrogates, <= U+10FFFF,
   * shortest form) and ends within MAXSTRINGLEN - 1 bytes; otherwise to `single`. Keeps R3-R5.
   */
  decodeUtf8(this: ProbeGen, q: EscapeState, i: typeof R2, single: string): void {
    const a = this.a;
    const S = this.ks.maxLen;
    const two = this.fresh('tx_u2');
    const three = this.fresh('tx_u3');
    const have = this.fresh('tx_have');
    // R0 = the lead byte's bits, R1 = the sequence's length.
    a.mov64Reg(R0, R5);
    a.alu64Imm('and', R0, 0xe0);
    a.jmpImm('jeq', R0, 0xc0, two);
    a.mov64Reg(R0, R5);
    a.alu64Imm('and', R0, 0xf0);
    a.jmpImm('jeq', R0, 0xe0, three);
    a.mov64Reg(R0, R5);
    a.alu64Imm('and', R0, 0xf8);
    a.jmpImm('jne', R0, 0xf0, single);
    a.mov64Reg(R0, R5);
    a.alu64Imm('and', R0, 0x07);
    a.mov64Imm(R1, 4);
    a.ja(have);
    a.label(three);
    a.mov64Reg(R0, R5);
    a.alu64Imm('and', R0, 0x0f);
    a.mov64Imm(R1, 3);
    a.ja(have);
    a.label(two);
    a.mov64Reg(R0, R5);
    a.alu64Imm('and', R0, 0x1f);
    a.mov64Imm(R1, 2);
    a.label(have);
    // The whole sequence within the input's MAXSTRINGLEN - 1 bytes.
    a.stxDW(R7, q.skip, R1);
    a.alu64Reg('add', R1, i);
    a.jmpImm('jgt', R1, S - 1, single);
    // Continuation bytes: 10xxxxxx each (the NUL ending the string is not one).
    const checked = this.fresh('tx_checked');
    for (let k = 1; k <= 3; k++) {
      const more = this.fresh('tx_more');
      a.ldxDW(R1, R7, q.skip);
      a.jmpImm('jgt', R1, k, more);
      a.ja(checked);
      a.label(more);
      a.mov64Reg(R1, R7);
      a.alu64Imm('add', R1, q.src);
      a.alu64Reg('add', R1, i);
      a.ldxB(R1, R1, k);
      a.stxDW(R7, q.spare, R1);
      a.alu64Imm('and', R1, 0xc0);
      a.jmpImm('jne', R1, 0x80, single);
      a.ldxDW(R1, R7, q.spare);
      a.alu64Imm('and', R1, 0x3f);
      a.alu64Imm('lsh', R0, 6);
      a.alu64Reg('or', R0, R1);
    }
    a.label(checked);
    // Surrogates, past U+10FFFF, and longer forms than needed are single bytes.
    a.jmpImm('jgt', R0, 0x10ffff, single);
    const notSurrogate = this.fresh('tx_nosur');
    a.jmpImm('jlt', R0, 0xd800, notSurrogate);
    a.jmpImm('jle', R0, 0xdfff, single);
    a.label(notSurrogate);
    a.jmpImm('jlt', R0, 0x80, single);
    a.ldxDW(R2, R7, q.skip);
    const notThree = this.fresh('tx_not3');
    a.jmpImm('jne', R2, 3, notThree);
    a.jmpImm('jlt', R0, 0x800, single);
    a.label(notThree);
    const notFour = this.fresh('tx_not4');
    a.jmpImm('jne', R2, 4, notFour);
    a.jmpImm('jlt', R0, 0x10000, single);
    a.label(notFour);
  },
};

export type TextEscapeMethods = typeof textEscapeMethods;
