// sprintf (and sprint, sprintln, ...) in kernel handlers, with the interpreter's output
// (src/format: stap's runtime/vsprintf.c) byte for byte.
//
// The output is written by bpf_snprintf (Linux 5.13+), which formats only d i u x X c s with
// flags 0 + - space and a width. Everything else is rewritten into what it can do: a field of
// stap's number() becomes [spaces][sign][prefix][zeros][digits][spaces], where each run of
// padding is a %s pointing into a constant of spaces or zeros (a run of n is the constant's
// last n bytes), the sign a %s of "-", "+", " " or "", the prefix literal text, and the digits
// a native %llu/%llx/%llX or, for octal, a %s of digits made by straight-line code
// (format-digits.ts). Counts (padding, zeros) are computed without branches, so the verifier
// walks this code once.
//
// One bpf_snprintf copies its arguments, strings whole, into a 512-byte buffer (longer ones are
// cut): a format whose arguments could need more is formatted in several calls ("segments"),
// each writing where the previous one ended. So is one with more than 12 arguments, and one
// where stap's clamping of a width or precision to the room left in the MAXSTRINGLEN buffer
// could matter and the position is not known at compile time.
//
// %m and %M (memory dumps) and %b where the room left is only known at run time are written
// by code of their own at the position, which is then kept as stap keeps it: the bytes stap's
// loops would write, even past a NUL (the string ends there, but a later %m still reads, and
// may fault, according to where stap is by then).

import type { Assembler } from '../asm.js';
import { R0, R1, R2, R3, R4, R5, R7, type Reg, type WReg } from '../insn.js';
import type { MapSpec } from '../spec.js';
import type { Token } from '../../parse/token.js';
import type { FormatComponent } from '../../parse/format.js';
import { unescapeLiteral } from '../../format/escapes.js';
import { OutBuf, putChar } from '../../format/conversions.js';
import type { KernelStrings } from './kstrings.js';
import { OCTAL_DIGITS, octalDigits } from './format-digits.js';

/** What the sprintf code needs from the handler's code generator. */
export interface SprintfSite {
  asm(): Assembler<MapSpec, Token>;
  /** The frame base: FP, or R8 in callbacks. */
  readonly fp: Reg;
  /** A stack slot of `bytes`; `stackTop`/`resetStack` free what was taken since. */
  stack(bytes: number): number;
  stackTop(): number;
  resetStack(top: number): void;
  scratch(bytes: number): number;
  constant(bytes: string): { map: MapSpec; offset: number };
  readonly ks: KernelStrings;
  unsupported(what: string): Error;
  fresh(hint: string): string;
  /**
   * A run-time error of the call (catchable): its message is bpf_snprintf of `fmt` with the longs
   * in stack slots `slots` (with no slots, `fmt` is the message itself). The code jumps away.
   */
  fail(fmt: string, slots: number[]): void;
}

/** An evaluated argument: a string in scratch (`max`: the most bytes it can have), or a long on the stack. */
export type SprintfArg = { kind: 'string'; off: number; max: number } | { kind: 'long'; slot: number };

/** MAX_BPRINTF_BIN_ARGS: the bytes one bpf_snprintf has for its arguments, strings copied whole. */
const BIN_ARGS = 512;
/** MAX_BPRINTF_VARARGS */
const MAX_ARGS = 12;
/** A u64 argument's share of BIN_ARGS, 4-byte aligned after a string or a char. */
const NUMBER_BIN = 11;

/** The argument types a format takes in a kernel handler, `*` widths and precisions included. */
export function sprintfArgKinds(components: readonly FormatComponent[]): ('long' | 'string')[] {
  const kinds: ('long' | 'string')[] = [];
  for (const c of components) {
    if (c.type === 'literal') continue;
    if (c.width === '*') kinds.push('long');
    if (c.precision === '*') kinds.push('long');
    kinds.push(c.type === 'string' ? 'string' : 'long');
  }
  return kinds;
}

/** sprintf of `components` with `args` (evaluated, in order); returns the result's scratch offset. */
export function emitSprintf(site: SprintfSite, components: readonly FormatComponent[], args: readonly SprintfArg[]): number {
  return new KernelSprintf(site, args, components).run(components);
}

/** PAGE_SIZE: the largest dump stap allows; memory is readable or not a page at a time. */
export const DUMP_MAX = 4096;
const FAULT = 'read fault [man error::fault] at 0x%llx';

export const isDump = (c: FormatComponent): boolean => c.type === 'memory' || c.type === 'memory_hex';

/** For each %m/%M: the index of its address among the arguments, and of its `*` precision if any. */
export function dumpArgs(components: readonly FormatComponent[]): { c: FormatComponent; addr: number; precision: number | null }[] {
  const out: { c: FormatComponent; addr: number; precision: number | null }[] = [];
  let ix = 0;
  for (const c of components) {
    if (c.type === 'literal') continue;
    if (c.width === '*') ix++;
    const precision = c.precision === '*' ? ix++ : null;
    if (isDump(c)) out.push({ c, addr: ix, precision });
    ix++;
  }
  return out;
}

/**
 * The check stap's translator puts before any output of a print with %m/%M: a size (the
 * precision, 1 without one) over a page is an error, "N is too many bytes for a memory dump"
 * (the first such conversion's; a `*` precision compared as the 64-bit value it is).
 */
export function emitDumpSizeChecks(site: SprintfSite, components: readonly FormatComponent[], args: readonly SprintfArg[]): void {
  const a = site.asm();
  for (const d of dumpArgs(components)) {
    if (d.precision === null) {
      const size = typeof d.c.precision === 'number' && d.c.precision > 0 ? d.c.precision : 1;
      if (size > DUMP_MAX) site.fail(`${size} is too many bytes for a memory dump`, []);
      continue;
    }
    const arg = args[d.precision]!;
    if (arg.kind !== 'long') throw new Error('sprintf: * takes a long');
    const ok = site.fresh('dsize');
    a.ldxDW(R1, site.fp, arg.slot);
    a.jmpImm('jsle', R1, DUMP_MAX, ok);
    site.fail('%lld is too many bytes for a memory dump', [arg.slot]);
    a.label(ok);
  }
}

/** A read of a dump's bytes: see emitDumpRead. */
export interface DumpRead {
  /** Puts the destination address in R1 (may use R2 too). */
  dst(): void;
  /** Stack slots: how many bytes (0 .. max), and the address. */
  n: number;
  addr: number;
  /** The most bytes: bounds the size for the verifier. */
  max: number;
  /** `#`: user memory (stap's uread), else kernel memory (kread). */
  user: boolean;
}

/**
 * Reads a dump's bytes, raising stap's "read fault [man error::fault] at 0x..." with the address
 * of the first byte that cannot be read (nothing is read, and nothing faults, for 0 bytes).
 */
export function emitDumpRead(site: SprintfSite, r: DumpRead): void {
  const a = site.asm();
  const done = site.fresh('dumpok');
  r.dst();
  a.ldxDW(R2, site.fp, r.n);
  a.jmpImm('jeq', R2, 0, done);
  a.jmpImm('jgt', R2, r.max, done); // never taken: bounds the size for the verifier
  a.ldxDW(R3, site.fp, r.addr);
  a.call(r.user ? 'probe_read_user' : 'probe_read_kernel');
  a.jmpImm('jeq', R0, 0, done);
  locateFault(site, r);
  a.label(done);
}

/**
 * After a failed read: the address stap's byte-by-byte loop stops at. A page is readable
 * whole or not at all, so it is the address itself or the start of the first page after it
 * whose first byte cannot be read (one byte probed per page).
 */
function locateFault(site: SprintfSite, r: DumpRead): void {
  const a = site.asm();
  const fp = site.fp;
  const probe = site.stack(8);
  const at = site.stack(8);
  const fault = site.fresh('dumpfault');
  const fallback = site.fresh('dumpaddr');
  const probeByte = () => {
    a.mov64Reg(R1, fp);
    a.alu64Imm('add', R1, probe);
    a.mov64Imm(R2, 1);
    a.ldxDW(R3, fp, at);
    a.call(r.user ? 'probe_read_user' : 'probe_read_kernel');
    a.jmpImm('jne', R0, 0, fault);
  };
  a.ldxDW(R3, fp, r.addr);
  a.stxDW(fp, at, R3);
  probeByte();
  for (let page = 1; (page - 1) * DUMP_MAX < r.max; page++) {
    // The page-th page start after the address, while inside the bytes read.
    a.ldxDW(R1, fp, r.addr);
    a.alu64Imm('and', R1, DUMP_MAX - 1);
    a.mov64Imm(R2, page * DUMP_MAX);
    a.alu64Reg('sub', R2, R1);
    a.ldxDW(R3, fp, r.n);
    a.jmpReg('jge', R2, R3, fallback);
    a.ldxDW(R3, fp, r.addr);
    a.alu64Reg('add', R3, R2);
    a.stxDW(fp, at, R3);
    probeByte();
  }
  // Every page reads now (it changed in between): the read failed at its start.
  a.label(fallback);
  a.ldxDW(R3, fp, r.addr);
  a.stxDW(fp, at, R3);
  a.label(fault);
  site.fail(FAULT, [at]);
}

/** A value known at compile time, or a stack slot holding it (a signed 64-bit number). */
type Q = number | { slot: number };
/** The room left in the buffer at a field: no clamping can matter, known, or in a stack slot. */
type Room = { kind: 'free' } | { kind: 'static'; room: number } | { kind: 'slot'; slot: number };

/** Bytes the kernel takes as format text: printable ASCII and white space. */
const printable = (c: number) => (c >= 0x20 && c <= 0x7e) || (c >= 0x09 && c <= 0x0d);
/** What the kernel accepts right after a %s (its check meant for %p extensions): white space or punctuation. */
const okAfterS = (c: number) => (c >= 0x09 && c <= 0x0d) || c === 0x20 || (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) ||
  (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);

/** The smallest 2^k - 1 at least n. */
function maskFor(n: number): number {
  let m = 1;
  while (m < n) m = m * 2 + 1;
  return m;
}

/** Characters one bpf_snprintf of 12 words as %016llx writes (%M). */
const HEX_CALL = 16 * MAX_ARGS;
/** The calls %M makes for `n` bytes. */
const hexCalls = (n: number) => Math.ceil(n / (HEX_CALL / 2));
/**
 * %b: the size a width or precision of 0..8 names (0: none; 9 stands for any larger one), padded
 * to 16 entries, as the verifier bounds the index by a mask.
 */
const BINARY_SIZES = '\0\x01\x02\0\x04\0\0\0\x08' + '\0'.repeat(7);

const NO_FLAGS: FormatComponent['flags'] = { zeropad: false, plus: false, left: false, space: false, special: false, sign: false, large: false };

/** What %#c shows for each byte: 8 bytes per byte value, the text, NULs, its length in the last byte. */
function charTable(): string {
  let t = '';
  for (let c = 0; c < 256; c++) {
    const o = new OutBuf(8);
    putChar(o, BigInt(c), -1, { ...NO_FLAGS, special: true });
    const text = o.text();
    t += text + '\0'.repeat(7 - text.length) + String.fromCharCode(text.length);
  }
  return t;
}
let charTableText: string | null = null;

class KernelSprintf {
  private readonly a: Assembler<MapSpec, Token>;
  private readonly fp: Reg;
  /** MAXSTRINGLEN: the result has at most cap - 1 bytes. */
  private readonly cap: number;
  /** Bounds the position for the verifier: 2^k - 1 >= cap - 1. */
  private readonly posMask: number;
  /** The longest run of padding one %s carries; runs are the last bytes of RUN_LEN spaces or zeros. */
  private readonly runMax: number;
  private readonly runLen: number;

  // The segment being built: its format, how many data words it has, and their share of BIN_ARGS.
  private fmt = '';
  private count = 0;
  private bin = 0;
  private afterS = false;
  /** Bytes written since the segment's start when known at compile time. */
  private exact: number | null = 0;
  /** An upper bound of the output's length so far (at most cap). */
  private maxPos = 0;
  private segments = 0;
  /** The position where the segment starts, once a segment was written. */
  private readonly posSlot: number;
  private posKnown = false;
  private out: number | null = null;
  private readonly data: number;
  /** Words of the data array (a segment ends when it is full). */
  private readonly words: number;
  /** A NUL may have been written (%c of 0, %b, %0s): the result ends at the first one. */
  private mayNul = false;
  /** A NUL was written for sure: nothing after it is part of the string. */
  private done = false;
  private next = 0;
  /** The component being written, and the last %m/%M (-1: none). */
  private index = 0;
  private readonly lastDump: number;
  /**
   * With %m: a stack slot set once the position stap has reached MAXSTRINGLEN (the position slot
   * stops at cap - 1, where a %m still reads a byte; past the end it reads none).
   */
  private readonly overSlot: number | null;
  /** Bytes the output buffer needs past the largest position (%M's hex calls write 193 at a time). */
  private readonly tail: number;

  constructor(private readonly site: SprintfSite, private readonly args: readonly SprintfArg[], components: readonly FormatComponent[]) {
    this.a = site.asm();
    this.fp = site.fp;
    this.cap = site.ks.maxLen;
    this.posMask = maskFor(this.cap - 1);
    this.runMax = Math.min(this.cap - 1, BIN_ARGS - 1);
    this.runLen = maskFor(this.runMax);
    // Data words: a literal's bytes the format cannot hold; a conversion's parts (at most 9:
    // %b's bytes and a NUL), each run of padding in pieces of RUN_MAX.
    const runs = Math.ceil((this.cap - 1) / this.runMax);
    let words = 0;
    for (const c of components) {
      if (c.type === 'literal') words += 1 + (unescapeLiteral(c.literal).match(/[^\t-\r -~]+/g)?.length ?? 0);
      else words += c.type === 'binary' ? 9 : 3 + 2 * runs;
    }
    const hex = components.some((c) => c.type === 'memory_hex');
    // %M formats its bytes 12 words per call.
    this.words = Math.min(MAX_ARGS, Math.max(hex ? MAX_ARGS : 1, words));
    this.data = site.stack(8 * this.words);
    this.posSlot = site.stack(8);
    this.lastDump = components.reduce((last, c, i) => (isDump(c) ? i : last), -1);
    this.overSlot = components.some((c) => c.type === 'memory') ? site.stack(8) : null;
    this.tail = Math.max(this.cap, 8, hex ? HEX_CALL * hexCalls(this.cap >> 1) + 1 : 0);
  }

  run(components: readonly FormatComponent[]): number {
    if (this.overSlot !== null) this.a.stDW(this.fp, this.overSlot, 0);
    emitDumpSizeChecks(this.site, components, this.args);
    for (const [i, c] of components.entries()) {
      this.index = i;
      // In the first segment the position may be known to be past what is kept.
      if (!this.posKnown && this.exact !== null && this.exact >= this.cap - 1) this.done = true;
      if (this.done) {
        // Nothing more shows, but a %m/%M further on still reads memory where stap is by then.
        if (i > this.lastDump) break;
        this.settle();
      }
      if (c.type === 'literal') {
        let text = unescapeLiteral(c.literal);
        // A literal stops at an embedded NUL (stap's _stp_vsnprintf); the next conversion goes on.
        const nul = text.indexOf('\0');
        if (nul >= 0) text = text.slice(0, nul);
        this.text(text);
      } else {
        const top = this.site.stackTop();
        this.conversion(c);
        this.site.resetStack(top);
      }
    }
    this.flush(true);
    if (!this.mayNul) return this.out!;
    const cut = this.site.scratch(this.site.ks.slot);
    this.site.ks.copy(R7, cut, R7, this.out!);
    return cut;
  }

  // ---- segments ------------------------------------------------------------------------

  /** Literal text of the output. */
  private text(bytes: string): void {
    this.rawText(bytes);
    this.maxPos = Math.min(this.cap, this.maxPos + bytes.length);
  }

  /**
   * Text into the format; bytes the kernel refuses there go as data (%c, or %s of a constant).
   * Counted in `exact` piece by piece, as a new segment may start between two pieces.
   */
  private rawText(bytes: string): void {
    const wrote = (n: number) => {
      if (this.exact !== null) this.exact += n;
    };
    let i = 0;
    while (i < bytes.length) {
      let j = i;
      if (printable(bytes.charCodeAt(i))) {
        while (j < bytes.length && printable(bytes.charCodeAt(j))) j++;
        let chunk = bytes.slice(i, j);
        if (this.afterS && !okAfterS(chunk.charCodeAt(0))) {
          const code = chunk.charCodeAt(0);
          this.entry('%c', 1, () => this.a.mov64Imm(R1, code));
          wrote(1);
          chunk = chunk.slice(1);
        }
        if (chunk !== '') {
          this.fmt += chunk.replace(/%/g, '%%');
          this.afterS = false;
          wrote(chunk.length);
        }
      } else {
        while (j < bytes.length && j - i < BIN_ARGS - 1 && !printable(bytes.charCodeAt(j))) j++;
        const chunk = bytes.slice(i, j);
        const k = this.site.constant(chunk);
        this.entry('%s', chunk.length + 1, () => this.a.ldMapValue(R1, k.map, k.offset));
        wrote(chunk.length);
      }
      i = j;
    }
  }

  /**
   * One data word: `load` leaves it in R1 (it may use R1-R5). Starts a new segment when the
   * data array is full (12 words at most) or the word could overflow BIN_ARGS.
   */
  private entry(spec: string, bin: number, load: () => void): void {
    if (this.count === this.words || this.bin + bin > BIN_ARGS) this.flush(false);
    load();
    this.a.stxDW(this.fp, this.data + 8 * this.count, R1);
    this.fmt += spec;
    this.count++;
    this.bin += bin;
    this.afterS = spec.endsWith('s');
  }

  /** The output buffer: one slot for a single segment; later segments write at [out+pos], pos < 2^k. */
  private output(single: boolean): number {
    this.out ??= this.site.scratch(single ? this.site.ks.slot : Math.ceil((this.posMask + this.tail) / 8) * 8);
    return this.out;
  }

  /**
   * Makes the position a run-time value in its slot (writing the segment so far); code that
   * writes at the position itself starts here.
   */
  private settle(): void {
    this.flush(false);
    if (this.posKnown) return;
    // No segment went out and none is pending: nothing was written, the position is 0.
    this.output(false);
    this.a.stDW(this.fp, this.posSlot, 0);
    this.posKnown = true;
    this.segments++;
    this.exact = 0;
  }

  /** R1 = the output buffer at the position (R2 is clobbered). */
  private atPos(): void {
    this.a.mov64Reg(R1, R7);
    this.a.alu64Imm('add', R1, this.output(false));
    this.a.ldxDW(R2, this.fp, this.posSlot);
    this.a.alu64Reg('add', R1, R2);
  }

  /**
   * R0 = stap's position now (unclamped, small) into the position slot: at most cap - 1 (and
   * bounded for the verifier), the over flag set when it reached cap. Clobbers R1, R2, R4, R5.
   */
  private storePos(): void {
    const a = this.a;
    if (this.overSlot !== null) {
      a.mov64Imm(R1, this.cap - 1);
      a.alu64Reg('sub', R1, R0);
      a.alu64Imm('rsh', R1, 63);
      a.ldxDW(R2, this.fp, this.overSlot);
      a.alu64Reg('or', R2, R1);
      a.stxDW(this.fp, this.overSlot, R2);
    }
    this.minImm(R0, this.cap - 1);
    a.alu64Imm('and', R0, this.posMask);
    a.stxDW(this.fp, this.posSlot, R0);
    this.posKnown = true;
  }

  /** The room left at the position (cap - pos, at least 1), in a slot. */
  private roomSlot(): Room {
    this.a.mov64Imm(R1, this.cap);
    this.a.ldxDW(R2, this.fp, this.posSlot);
    this.a.alu64Reg('sub', R1, R2);
    return { kind: 'slot', slot: this.toSlot(R1).slot };
  }

  /** R1 = where the next segment writes. */
  private dest(): void {
    const a = this.a;
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, this.output(false));
    if (this.posKnown) {
      a.ldxDW(R2, this.fp, this.posSlot);
      a.alu64Reg('add', R1, R2);
    }
  }

  /** Writes the segment built so far (the last one when `final`: then the result is complete). */
  private flush(final: boolean): void {
    const a = this.a;
    const ks = this.site.ks;
    if (this.count === 0 && this.fmt === '') {
      if (!final) {
        // Nothing since the last segment: the position is where that one ended.
        if (this.posKnown) this.exact = 0;
        return;
      }
      if (this.segments === 0) {
        ks.empty(R7, this.output(true));
        return;
      }
      a.ldxDW(R0, this.fp, this.posSlot);
      a.alu64Imm('add', R0, 1);
      ks.fixTail(R7, this.out!);
      return;
    }
    const single = final && this.segments === 0;
    if (single) {
      a.mov64Reg(R1, R7);
      a.alu64Imm('add', R1, this.output(true));
    } else this.dest();
    a.mov64Imm(R2, this.cap);
    const f = this.site.constant(this.fmt);
    a.ldMapValue(R3, f.map, f.offset);
    if (this.count === 0) {
      a.mov64Imm(R4, 0);
      a.mov64Imm(R5, 0);
    } else {
      a.mov64Reg(R4, this.fp);
      a.alu64Imm('add', R4, this.data);
      a.mov64Imm(R5, 8 * this.count);
    }
    a.call('snprintf');
    this.segments++;
    this.fmt = '';
    this.count = 0;
    this.bin = 0;
    this.afterS = false;
    this.exact = 0;
    if (single) ks.fixTail(R7, this.out!);
    else this.advance(final);
  }

  /**
   * After a segment (R0 = the helper's length with the NUL, maybe more than it wrote, negative
   * on failure): the new position, at most cap - 1, without branches. The last segment ends
   * the string there.
   */
  private advance(final: boolean): void {
    const a = this.a;
    a.alu64Imm('sub', R0, 1);
    this.max0(R0, R5);
    if (this.posKnown) {
      a.ldxDW(R1, this.fp, this.posSlot);
      a.alu64Reg('add', R0, R1);
    }
    if (final) {
      this.minImm(R0, this.cap - 1);
      a.alu64Imm('and', R0, this.posMask);
      a.alu64Imm('add', R0, 1);
      this.site.ks.fixTail(R7, this.out!);
    } else this.storePos();
  }

  /** A string too long for BIN_ARGS: copied at the position on its own. */
  private directString(off: number): void {
    const a = this.a;
    this.flush(false);
    this.dest();
    a.mov64Imm(R2, this.cap);
    a.mov64Reg(R3, R7);
    a.alu64Imm('add', R3, off);
    a.call('probe_read_kernel_str');
    this.segments++;
    this.exact = 0;
    this.advance(false);
  }

  /** A string argument: a %s word, or a copy of its own when it could exceed BIN_ARGS. */
  private stringPiece(off: number, max: number): void {
    if (max + 1 > BIN_ARGS) {
      this.directString(off);
      return;
    }
    this.entry('%s', max + 1, () => {
      this.a.mov64Reg(R1, R7);
      this.a.alu64Imm('add', R1, off);
    });
  }

  /** `n` (a slot, at most maxN) bytes of padding: %s words pointing at the end of a constant run. */
  private padding(ch: ' ' | '0', n: number, maxN: number): void {
    const a = this.a;
    const k = this.site.constant(ch.repeat(this.runLen));
    const upTo = Math.min(maxN, this.cap - 1);
    for (let from = 0; from < upTo; from += this.runMax) {
      const most = Math.min(this.runMax, upTo - from);
      this.entry('%s', most + 1, () => {
        a.ldxDW(R1, this.fp, n);
        if (from > 0) {
          a.alu64Imm('sub', R1, from);
          this.max0(R1, R5);
        }
        this.minImm(R1, most);
        a.alu64Imm('and', R1, this.runLen);
        a.ldMapValue(R2, k.map, k.offset + this.runLen);
        a.alu64Reg('sub', R2, R1);
        a.mov64Reg(R1, R2);
      });
    }
  }

  // ---- arithmetic without branches (values well inside +-2^62) -----------------------------

  /** r = max(r, 0); t is clobbered. */
  private max0(r: WReg, t: WReg): void {
    const a = this.a;
    a.mov64Reg(t, r);
    a.alu64Imm('arsh', t, 63);
    a.alu64Imm('xor', t, -1);
    a.alu64Reg('and', r, t);
  }

  /** r = min(r, k); clobbers R4, R5. */
  private minImm(r: WReg, k: number): void {
    this.a.mov64Imm(R4, k);
    this.minReg(r, R4);
  }

  /** r = min(r, s); clobbers R4, R5 (s may be R4). */
  private minReg(r: WReg, s: Reg): void {
    const a = this.a;
    a.mov64Reg(R5, r);
    a.alu64Reg('sub', R5, s);
    this.max0(R5, R4);
    a.alu64Reg('sub', r, R5);
  }

  /** r = max(r, s); clobbers R4, R5. */
  private maxReg(r: WReg, s: Reg): void {
    const a = this.a;
    a.mov64Reg(R5, s);
    a.alu64Reg('sub', R5, r);
    this.max0(R5, R4);
    a.alu64Reg('add', r, R5);
  }

  private load(r: WReg, q: Q): void {
    if (typeof q === 'number') this.a.mov64Imm(r, q);
    else this.a.ldxDW(r, this.fp, q.slot);
  }

  private toSlot(r: Reg): { slot: number } {
    const slot = this.site.stack(8);
    this.a.stxDW(this.fp, slot, r);
    return { slot };
  }

  // ---- fields ----------------------------------------------------------------------------

  /**
   * The room left at a field whose output depends on it through a width or precision of
   * `need` (Infinity: from an argument): stap clamps them to the room left in the buffer.
   */
  private room(need: number): Room {
    if (this.maxPos + need <= this.cap) return { kind: 'free' };
    if (this.exact !== null && !this.posKnown) return { kind: 'static', room: this.cap - this.exact };
    if (this.exact === null) this.flush(false);
    if (this.exact === null) throw new Error('sprintf: the position of a field is unknown');
    const a = this.a;
    a.mov64Imm(R1, this.cap - this.exact);
    if (this.posKnown) {
      a.ldxDW(R2, this.fp, this.posSlot);
      a.alu64Reg('sub', R1, R2);
    }
    return { kind: 'slot', slot: this.toSlot(R1).slot };
  }

  /**
   * A width or precision as stap uses it: an argument's is cut to an int and clamped to
   * [0, room]; one in the format is clamped to the room. Where the room cannot change the
   * visible output (`sensitive` false) the bound is MAXSTRINGLEN.
   */
  private bound(q: number | '*' | null, sensitive: boolean, room: Room): Q | null {
    if (q === null) return null;
    const a = this.a;
    if (q === '*') {
      const arg = this.args[this.next++]!;
      if (arg.kind !== 'long') throw new Error('sprintf: * takes a long');
      a.ldxDW(R1, this.fp, arg.slot);
      a.alu64Imm('lsh', R1, 32);
      a.alu64Imm('arsh', R1, 32);
      this.max0(R1, R5);
      if (sensitive && room.kind === 'slot') {
        a.ldxDW(R2, this.fp, room.slot);
        this.minReg(R1, R2);
      } else this.minImm(R1, sensitive && room.kind === 'static' ? room.room : this.cap);
      return this.toSlot(R1);
    }
    if (!sensitive || room.kind === 'free') return Math.min(q, this.cap);
    if (room.kind === 'static') return Math.min(q, room.room);
    a.mov64Imm(R1, Math.min(q, this.cap));
    a.ldxDW(R2, this.fp, room.slot);
    this.minReg(R1, R2);
    return this.toSlot(R1);
  }

  private conversion(c: FormatComponent): void {
    const cap = this.cap;
    const f = c.flags;
    const wNeed = c.width === '*' ? Infinity : c.width ?? 0;
    const pNeed = c.precision === '*' ? Infinity : c.precision ?? 0;
    const wMax = Math.min(cap, c.width === '*' ? cap : c.width ?? 0);
    const pMax = Math.min(cap, c.precision === '*' ? cap : c.precision ?? 0);
    // The width matters with the room when it pads on the left.
    const wSens = c.width !== null && !f.left;
    let len: number;
    switch (c.type) {
      case 'number':
      case 'pointer': {
        const room = this.room(Math.max(wSens ? wNeed : 0, pNeed));
        const W = this.bound(c.width, wSens, room);
        const P = this.bound(c.precision, true, room);
        const base = c.type === 'pointer' ? 16 : c.base;
        const prefix = f.special ? (base === 16 ? (f.large ? '0X' : '0x') : base === 8 ? '0' : '') : '';
        const extra = (f.sign ? 1 : 0) + prefix.length;
        this.number(c, base, prefix, this.longArg(), W, P, wMax);
        len = Math.max(wMax, pMax + extra, (base === 8 ? OCTAL_DIGITS : base === 10 ? 20 : 16) + extra);
        break;
      }
      case 'string': {
        const room = this.room(wSens ? wNeed : 0);
        const W = this.bound(c.width, wSens, room);
        const P = this.bound(c.precision, false, room);
        const arg = this.args[this.next++]!;
        if (arg.kind !== 'string') throw new Error('sprintf: %s takes a string');
        const max = Math.min(arg.max, cap - 1);
        this.string(c, arg.off, max, W, P, wMax);
        len = Math.max(wMax, c.precision === null || c.precision === '*' ? max : Math.min(max, c.precision));
        break;
      }
      case 'char': {
        const room = this.room(wSens ? wNeed : 0);
        const W = this.bound(c.width, wSens, room);
        this.char(c, this.longArg(), W, wMax);
        len = Math.max(wMax, f.special ? 4 : 1);
        break;
      }
      case 'binary': {
        // Its choices depend on the room left: known at compile time, or written at run time.
        // After it, a later %m/%M needs stap's exact position, NUL padding included.
        const need = Math.max(wNeed, pNeed, 8);
        const known = this.maxPos + need <= cap || (this.exact !== null && !this.posKnown);
        if (known && c.width !== '*' && c.precision !== '*' && this.index > this.lastDump) {
          len = this.binary(c, this.longArg(), this.room(need));
          break;
        }
        this.maxPos = Math.min(cap, this.maxPos + this.binaryAt(c));
        return;
      }
      case 'memory':
      case 'memory_hex':
        this.maxPos = Math.min(cap, this.maxPos + this.dump(c, c.type === 'memory_hex'));
        return;
      default:
        throw new Error(`sprintf: a ${c.type} component is not a conversion`);
    }
    this.maxPos = Math.min(cap, this.maxPos + len);
    this.exact = null;
  }

  private longArg(): number {
    const arg = this.args[this.next++]!;
    if (arg.kind !== 'long') throw new Error('sprintf: this conversion takes a long');
    return arg.slot;
  }

  /** stap's number(): [spaces][sign][prefix][zeros][digits][spaces]. */
  private number(c: FormatComponent, base: 8 | 10 | 16, prefix: string, v: number, W: Q | null, P: Q | null, wMax: number): void {
    const a = this.a;
    const f = c.flags;
    const digits = base === 16 ? (f.large ? 'llX' : 'llx') : 'llu';
    // What the kernel formats itself: a decimal or hex number with flags and a fixed width.
    if (base !== 8 && !f.special && P === null && (W === null || typeof W === 'number')) {
      const flag = f.zeropad ? '0' : f.plus ? '+' : f.left ? '-' : f.space ? ' ' : '';
      this.entry('%' + flag + (W || '') + (f.sign ? 'lld' : digits), NUMBER_BIN, () => a.ldxDW(R1, this.fp, v));
      return;
    }
    // The magnitude: digits of |v| for %d (INT64_MIN stays 2^63 as unsigned).
    let u = v;
    if (f.sign) {
      a.ldxDW(R1, this.fp, v);
      a.mov64Reg(R2, R1);
      a.alu64Imm('arsh', R2, 63);
      a.alu64Reg('xor', R1, R2);
      a.alu64Reg('sub', R1, R2);
      u = this.toSlot(R1).slot;
    }
    let nd: number | null = null;
    let octal = 0;
    if (base === 8) {
      octal = this.site.scratch(OCTAL_DIGITS + 2);
      octalDigits(a, this.fp, u, R7, octal);
      nd = this.toSlot(R0).slot;
    } else if (W !== null || P !== null) {
      // The digits' count: bpf_snprintf into no buffer tells the length.
      const k = this.site.constant('%' + digits);
      a.mov64Imm(R1, 0);
      a.mov64Imm(R2, 0);
      a.ldMapValue(R3, k.map, k.offset);
      a.mov64Reg(R4, this.fp);
      a.alu64Imm('add', R4, u);
      a.mov64Imm(R5, 8);
      a.call('snprintf');
      a.alu64Imm('sub', R0, 1);
      a.alu64Imm('and', R0, 31);
      nd = this.toSlot(R0).slot;
    }
    const zp = f.zeropad && !f.left;
    let zeros: number | null = null;
    let pad: number | null = null;
    if (W !== null || P !== null) {
      a.ldxDW(R3, this.fp, nd!);
      // R2 = digits shown (the precision is a minimum), R1 = zeros the precision adds.
      if (P !== null) {
        this.load(R2, P);
        this.maxReg(R2, R3);
      } else a.mov64Reg(R2, R3);
      a.mov64Reg(R1, R2);
      a.alu64Reg('sub', R1, R3);
      if (W !== null) {
        this.load(R0, W);
        a.alu64Reg('sub', R0, R2);
        if (prefix !== '') a.alu64Imm('sub', R0, prefix.length);
        if (f.sign) {
          if (f.plus || f.space) a.alu64Imm('sub', R0, 1);
          else {
            a.ldxDW(R3, this.fp, v);
            a.alu64Imm('rsh', R3, 63);
            a.alu64Reg('sub', R0, R3);
          }
        }
        this.max0(R0, R5);
        if (zp) a.alu64Reg('add', R1, R0);
        else pad = this.toSlot(R0).slot;
      }
      if (P !== null || (zp && W !== null)) zeros = this.toSlot(R1).slot;
    }
    if (pad !== null && !f.left) this.padding(' ', pad, wMax);
    if (f.sign) {
      // "-", or what the flags show for other numbers: "+", " " or nothing.
      const k = this.site.constant('-\0' + (f.plus ? '+' : f.space ? ' ' : ''));
      this.entry('%s', 2, () => {
        a.ldxDW(R2, this.fp, v);
        a.alu64Imm('rsh', R2, 63);
        a.alu64Imm('xor', R2, 1);
        a.alu64Imm('lsh', R2, 1);
        a.ldMapValue(R1, k.map, k.offset);
        a.alu64Reg('add', R1, R2);
      });
    }
    if (prefix !== '') this.rawText(prefix);
    if (zeros !== null) this.padding('0', zeros, this.cap);
    if (base === 8) {
      const n = nd!;
      this.entry('%s', OCTAL_DIGITS + 1, () => {
        a.ldxDW(R2, this.fp, n);
        a.mov64Reg(R1, R7);
        a.alu64Imm('add', R1, octal + OCTAL_DIGITS);
        a.alu64Reg('sub', R1, R2);
      });
    } else this.entry('%' + digits, NUMBER_BIN, () => a.ldxDW(R1, this.fp, u));
    if (pad !== null && f.left) this.padding(' ', pad, wMax);
  }

  /** _stp_vsprint_memory for %s: padded to the width, cut to the precision; "%0s" ends with a NUL. */
  private string(c: FormatComponent, off: number, max: number, W: Q | null, P: Q | null, wMax: number): void {
    const a = this.a;
    const left = c.flags.left;
    let src = off;
    let len: number | null = null;
    // A copy of the string measures it, and cut to the precision if there is one.
    const copy = (size: Q) => {
      const tmp = this.site.scratch(Math.max(this.site.ks.slot, this.posMask + 1));
      if (typeof size === 'number') a.mov64Imm(R2, size);
      else {
        a.ldxDW(R2, this.fp, size.slot);
        this.minImm(R2, this.cap - 1);
        a.alu64Imm('and', R2, this.posMask);
        a.alu64Imm('add', R2, 1);
      }
      a.mov64Reg(R1, R7);
      a.alu64Imm('add', R1, tmp);
      a.mov64Reg(R3, R7);
      a.alu64Imm('add', R3, src);
      a.call('probe_read_kernel_str');
      a.alu64Imm('sub', R0, 1);
      this.max0(R0, R5);
      len = this.toSlot(R0).slot;
      src = tmp;
    };
    if (P !== null) {
      copy(typeof P === 'number' ? Math.min(P, this.cap - 1) + 1 : P);
      if (typeof P === 'number') max = Math.min(max, P);
    }
    if ((W === null || typeof W === 'number') && max + 1 <= BIN_ARGS) {
      const s = src;
      this.entry('%' + (left ? '-' : '') + (W || '') + 's', max + 1, () => {
        a.mov64Reg(R1, R7);
        a.alu64Imm('add', R1, s);
      });
    } else {
      let pad: number | null = null;
      if (W !== null) {
        if (len === null) copy(this.cap);
        this.load(R0, W);
        a.ldxDW(R1, this.fp, len!);
        a.alu64Reg('sub', R0, R1);
        this.max0(R0, R5);
        pad = this.toSlot(R0).slot;
      }
      if (pad !== null && !left) this.padding(' ', pad, wMax);
      this.stringPiece(src, max);
      if (pad !== null && left) this.padding(' ', pad, wMax);
    }
    if (c.flags.zeropad) this.nul();
  }

  /** A NUL byte: the string ends here. */
  private nul(): void {
    this.entry('%c', 1, () => this.a.mov64Imm(R1, 0));
    this.mayNul = true;
    this.done = true;
  }

  /** _stp_vsprint_char: the byte, or with # its C escape (a table in the constants map). */
  private char(c: FormatComponent, v: number, W: Q | null, wMax: number): void {
    const a = this.a;
    const f = c.flags;
    const table = f.special ? this.site.constant(charTableText ??= charTable()) : null;
    const loadText = () => {
      a.ldxDW(R2, this.fp, v);
      a.alu64Imm('and', R2, 0xff);
      a.alu64Imm('lsh', R2, 3);
      a.ldMapValue(R1, table!.map, table!.offset);
      a.alu64Reg('add', R1, R2);
    };
    if (W === null || typeof W === 'number') {
      const spec = '%' + (f.left ? '-' : '') + (W || '');
      if (table) this.entry(spec + 's', 5, loadText);
      else this.entry(spec + 'c', 1, () => a.ldxDW(R1, this.fp, v));
    } else {
      if (table) {
        loadText();
        a.ldxB(R1, R1, 7);
      } else a.mov64Imm(R1, 1);
      this.load(R0, W);
      a.alu64Reg('sub', R0, R1);
      this.max0(R0, R5);
      const pad = this.toSlot(R0).slot;
      if (!f.left) this.padding(' ', pad, wMax);
      if (table) this.entry('%s', 5, loadText);
      else this.entry('%c', 1, () => a.ldxDW(R1, this.fp, v));
      if (f.left) this.padding(' ', pad, wMax);
    }
    if (!table) this.mayNul = true;
  }

  /**
   * _stp_vsprint_binary: the value's low bytes, little-endian, as %c words (a zero byte ends the
   * string), padded with NULs. Its choices depend on the room, so that must be known here.
   * Returns the most bytes it writes.
   */
  private binary(c: FormatComponent, v: number, room: Room): number {
    if (room.kind === 'slot') throw new Error('sprintf: %b with a room known at run time goes to binaryAt');
    const r = room.kind === 'static' ? room.room : Infinity;
    const clamp = (x: number | '*' | null) => (x === null ? -1 : Math.min(Math.max(x as number, 0), r));
    const bp = (p: number) => (p === 1 || p === 2 || p === 4 || p === 8 ? p : -1);
    let w = clamp(c.width);
    let prec = bp(clamp(c.precision));
    if (w === -1) {
      if (prec === -1) prec = 8;
      w = prec;
    } else if (prec === -1) {
      prec = bp(w);
      if (prec === -1) prec = 8;
    }
    this.mayNul = true;
    if (!c.flags.left && prec < w) {
      this.nul();
      return 1;
    }
    // A value that does not fit whole is left out.
    if (prec <= r) {
      for (let k = 0; k < prec; k++) {
        this.entry('%c', 1, () => {
          this.a.ldxDW(R1, this.fp, v);
          if (k > 0) this.a.alu64Imm('rsh', R1, 8 * k);
        });
      }
    }
    if (c.flags.left && prec < w) this.nul();
    return Math.max(w, prec);
  }

  // ---- code writing at the position (%m, %M, %b with a room known at run time) ------------

  /**
   * _stp_vsprint_memory for %m (the bytes) and %M (two hex digits a byte) at the position:
   * [spaces][bytes][spaces with '-'][NUL with '0']. Width and precision are clamped to the room
   * left; the size is the precision if positive, else 1; stap's loop stops at the buffer's end
   * (%M before half a byte) and reads only the bytes it reaches. Returns the most bytes written.
   */
  private dump(c: FormatComponent, hex: boolean): number {
    const a = this.a;
    const f = c.flags;
    const cap = this.cap;
    this.settle();
    const room = this.roomSlot();
    const W = this.bound(c.width, true, room);
    const P = this.bound(c.precision, true, room);
    const addr = this.longArg();
    const lenMax = c.precision === null ? 1 : c.precision === '*' ? cap : Math.max(1, Math.min(c.precision, cap));
    let len: Q = 1;
    if (P !== null) {
      this.load(R1, P);
      a.alu64Imm('sub', R1, 1);
      this.max0(R1, R5);
      a.alu64Imm('add', R1, 1);
      len = this.toSlot(R1);
    }
    const wMax = Math.min(cap, c.width === '*' ? cap : c.width ?? 0);
    let pad: number | null = null;
    if (W !== null) {
      // The width less what the bytes take (two digits a byte for %M).
      this.load(R0, W);
      this.load(R1, len);
      if (hex) a.alu64Imm('lsh', R1, 1);
      a.alu64Reg('sub', R0, R1);
      this.max0(R0, R5);
      pad = this.toSlot(R0).slot;
    }
    if (pad !== null && !f.left) {
      this.padding(' ', pad, wMax);
      this.settle();
    }
    // The bytes the loop reaches: min(len, room), for %M min(len, room / 2); none once full.
    a.mov64Imm(R1, cap);
    a.ldxDW(R2, this.fp, this.posSlot);
    a.alu64Reg('sub', R1, R2);
    if (hex) a.alu64Imm('rsh', R1, 1);
    this.load(R2, len);
    this.minReg(R1, R2);
    if (this.overSlot !== null && !hex) {
      a.ldxDW(R2, this.fp, this.overSlot);
      a.alu64Imm('sub', R2, 1);
      a.alu64Reg('and', R1, R2);
    }
    const n = this.toSlot(R1).slot;
    const maxN = Math.min(hex ? cap >> 1 : cap, lenMax);
    if (hex) {
      const tmp = this.site.scratch((HEX_CALL / 2) * hexCalls(maxN));
      emitDumpRead(this.site, { dst: () => { a.mov64Reg(R1, R7); a.alu64Imm('add', R1, tmp); }, n, addr, max: maxN, user: f.special });
      this.hexDigits(tmp, maxN);
    } else {
      // Straight into the output: a NUL among the bytes ends the string.
      emitDumpRead(this.site, { dst: () => this.atPos(), n, addr, max: maxN, user: f.special });
      this.mayNul = true;
    }
    a.ldxDW(R0, this.fp, n);
    if (hex) a.alu64Imm('lsh', R0, 1);
    a.ldxDW(R1, this.fp, this.posSlot);
    a.alu64Reg('add', R0, R1);
    this.storePos();
    this.exact = 0;
    if (pad !== null && f.left) {
      this.padding(' ', pad, wMax);
      this.exact = null;
    }
    if (f.zeropad) {
      this.nul();
      this.exact = null;
    }
    return Math.max(wMax, hex ? 2 * lenMax : lenMax) + (f.zeropad ? 1 : 0);
  }

  /**
   * The hex digits of the bytes at [R7+tmp], written at the position: each word byte-swapped
   * and formatted as %016llx, 12 words a call. What lies past the bytes read is written too,
   * after the position's end: later output overwrites it, or the string ends before it.
   */
  private hexDigits(tmp: number, maxN: number): void {
    const a = this.a;
    const k = this.site.constant('%016llx'.repeat(MAX_ARGS));
    for (let call = 0; call < hexCalls(maxN); call++) {
      for (let j = 0; j < MAX_ARGS; j++) {
        a.ldxDW(R1, R7, tmp + (HEX_CALL / 2) * call + 8 * j);
        a.be(R1, 64);
        a.stxDW(this.fp, this.data + 8 * j, R1);
      }
      this.atPos();
      if (call > 0) a.alu64Imm('add', R1, HEX_CALL * call);
      a.mov64Imm(R2, HEX_CALL + 1);
      a.ldMapValue(R3, k.map, k.offset);
      a.mov64Reg(R4, this.fp);
      a.alu64Imm('add', R4, this.data);
      a.mov64Imm(R5, 8 * MAX_ARGS);
      a.call('snprintf');
    }
  }

  /**
   * _stp_vsprint_binary at the position, where the room left is known only at run time (or a
   * later %m/%M needs the exact position): width and precision clamped to the room; the size is
   * the precision's if it is 1, 2, 4 or 8, else the width's, else 8; NUL padding to the width
   * before the value (after it with '-'); the value's low bytes when they fit whole. Without
   * branches: the value is stored at the position whatever happens (with padding before it, its
   * first byte is the padding's NUL), and the position moves as stap's does; what lies past the
   * position is overwritten by later output or after the string's end. Returns the most bytes
   * written.
   */
  private binaryAt(c: FormatComponent): number {
    const a = this.a;
    const cap = this.cap;
    const left = c.flags.left;
    this.settle();
    const room = this.roomSlot();
    const W = this.bound(c.width, true, room);
    const P = this.bound(c.precision, true, room);
    const v = this.longArg();
    const sizes = this.site.constant(BINARY_SIZES);
    // R0 = the size a clamped width or precision names, 0 for none.
    const sizeOf = (q: Q | null) => {
      if (q === null) {
        a.mov64Imm(R0, 0);
        return;
      }
      this.load(R0, q);
      this.minImm(R0, 9);
      a.alu64Imm('and', R0, BINARY_SIZES.length - 1);
      a.ldMapValue(R1, sizes.map, sizes.offset);
      a.alu64Reg('add', R1, R0);
      a.ldxB(R0, R1, 0);
    };
    // R0 = R0 if not 0, else `or` (a register other than R1, or 8).
    const orElse = (or: Reg | 8) => {
      a.mov64Reg(R1, R0);
      a.alu64Imm('sub', R1, 1);
      a.alu64Imm('arsh', R1, 63);
      if (or === 8) a.alu64Imm('and', R1, 8);
      else a.alu64Reg('and', R1, or);
      a.alu64Reg('add', R0, R1);
    };
    sizeOf(W);
    orElse(8);
    a.mov64Reg(R3, R0);
    sizeOf(P);
    orElse(R3);
    const prec = this.toSlot(R0).slot;
    // The NULs: the width (the size without one) less the size.
    if (W !== null) this.load(R0, W);
    else a.ldxDW(R0, this.fp, prec);
    a.ldxDW(R1, this.fp, prec);
    a.alu64Reg('sub', R0, R1);
    this.max0(R0, R5);
    const pad = this.toSlot(R0).slot;
    this.atPos();
    a.ldxDW(R3, this.fp, v);
    a.stxDW(R1, 0, R3);
    if (!left) {
      // The first byte: 0 when there is padding before the value.
      a.ldxDW(R2, this.fp, pad);
      a.neg64(R2);
      a.alu64Imm('arsh', R2, 63);
      a.alu64Imm('xor', R2, -1);
      a.alu64Reg('and', R3, R2);
      a.stxB(R1, 0, R3);
    }
    this.mayNul = true;
    // R0 += min(pad, cap - R0): stap's padding loops stop at the buffer's end.
    const padTo = () => {
      a.mov64Imm(R1, cap);
      a.alu64Reg('sub', R1, R0);
      a.ldxDW(R2, this.fp, pad);
      this.minReg(R1, R2);
      a.alu64Reg('add', R0, R1);
    };
    a.ldxDW(R0, this.fp, this.posSlot);
    if (!left) padTo();
    // The value's bytes count when they fit whole: R0 += (R0 + prec <= cap) * prec.
    a.ldxDW(R2, this.fp, prec);
    a.mov64Imm(R1, cap);
    a.alu64Reg('sub', R1, R0);
    a.alu64Reg('sub', R1, R2);
    a.alu64Imm('arsh', R1, 63);
    a.alu64Imm('add', R1, 1);
    a.alu64Reg('mul', R1, R2);
    a.alu64Imm('and', R1, 15);
    a.alu64Reg('add', R0, R1);
    if (left) {
      // A NUL where the padding starts (with none, the next output or the end goes there).
      a.mov64Reg(R3, R7);
      a.alu64Imm('add', R3, this.output(false));
      a.alu64Reg('add', R3, R0);
      a.stB(R3, 0, 0);
      padTo();
    }
    this.storePos();
    this.exact = 0;
    return Math.max(Math.min(cap, c.width === '*' ? cap : c.width ?? 0), 8);
  }
}
