// printf and sprintf at run time: format components plus values to output bytes.
//
// Follows stap 4.8's default "compiled printf" (translate.cxx emit_compiled_printfs), which
// drives the runtime/vsprintf.c helpers, with its buffer sizing, clamping and truncation.

import type { FormatComponent } from '../parse/format.js';
import { OutBuf, putBinary, putChar, putMemory, putNumber, type ByteSource } from './conversions.js';
import { unescapeLiteral } from './escapes.js';
import { StapRuntimeError } from './errors.js';

/** A printf argument: a stap long (signed 64-bit) or a string (latin1, one char per byte). */
export type PrintfArg = bigint | string;

/**
 * Reads `len` bytes of target memory at `addr` for %m/%M (`user`: the `#` flag asks for user
 * rather than kernel memory). Returns the bytes as latin1; a shorter result means the read
 * faulted at `addr + result.length`.
 */
export type MemoryReader = (addr: bigint, len: number, user: boolean) => string;

export interface PrintfOptions {
  /** Memory for %m/%M with a numeric address; without it every such read faults. */
  readMemory?: MemoryReader;
  /** stap --compatible < 1.3: %p zero-pads to 16 digits (see translate.cxx conv_pointer). */
  legacyPointer?: boolean;
  /** STP_BUFFER_SIZE: the most one printf can emit. Default 8192. */
  bufferSize?: number;
  /** MAXSTRINGLEN: the sprintf buffer, terminator included. Default 512 (64-bit). */
  maxStringLen?: number;
}

export const STP_BUFFER_SIZE = 8192;
export const MAXSTRINGLEN = 512;
const PAGE_SIZE = 4096;

/**
 * The bytes `printf(fmt, args...)` sends to the output stream. `components` come from
 * parseFormat on the raw format text; literal parts are unescaped here. Throws
 * StapRuntimeError where stap sets c->last_error (oversized or faulting %m/%M).
 *
 * As stap: one printf emits at most STP_BUFFER_SIZE bytes; a literal stops at an embedded NUL
 * (stap then also leaves the reserved-but-unwritten bytes as garbage; we emit nothing for
 * them); %c of 0 and "%0s" emit real NUL bytes.
 */
export function formatPrintf(components: readonly FormatComponent[], args: readonly PrintfArg[], opts: PrintfOptions = {}): string {
  checkMemoryDumps(components, args);
  // stap sizes the output first (widths clamped to STP_BUFFER_SIZE), reserves
  // min(size, STP_BUFFER_SIZE) bytes and writes into them. Writing straight into a buffer of
  // STP_BUFFER_SIZE gives the same bytes: below that size nothing is clamped in either case,
  // and at or above it the reservation is STP_BUFFER_SIZE anyway.
  const bufferSize = opts.bufferSize ?? STP_BUFFER_SIZE;
  const out = new OutBuf(bufferSize);
  render(components, args, out, opts, bufferSize);
  return out.text();
}

/**
 * The string `sprintf(fmt, args...)` returns: written into a MAXSTRINGLEN buffer, so at most
 * MAXSTRINGLEN-1 bytes, and cut at the first NUL (a stap string is a C string).
 */
export function formatSprintf(components: readonly FormatComponent[], args: readonly PrintfArg[], opts: PrintfOptions = {}): string {
  checkMemoryDumps(components, args);
  const cap = opts.maxStringLen ?? MAXSTRINGLEN;
  const out = new OutBuf(cap);
  render(components, args, out, opts, opts.bufferSize ?? STP_BUFFER_SIZE);
  let text = out.text();
  // The generated code ends with `*end = '\0'` when the buffer was filled.
  if (out.pos >= cap) text = text.slice(0, cap - 1);
  const nul = text.indexOf('\0');
  return nul < 0 ? text : text.slice(0, nul);
}

/** The translator's guard before any %m/%M: more than a page is an error, before any output. */
function checkMemoryDumps(components: readonly FormatComponent[], args: readonly PrintfArg[]): void {
  let ix = 0;
  for (const c of components) {
    if (c.type === 'literal') continue;
    if (c.width === '*') ix++;
    let size = 1n;
    if (c.precision === '*') size = longArg(args, ix++);
    else if (c.precision !== null && c.precision > 0) size = BigInt(c.precision);
    if ((c.type === 'memory' || c.type === 'memory_hex') && size > BigInt(PAGE_SIZE)) {
      throw new StapRuntimeError(`${size} is too many bytes for a memory dump`);
    }
    ix++;
  }
}

/** C's clamp_t(int, v, lo, hi): the value is first truncated to int. */
function clampInt(v: number | bigint, lo: number, hi: number): number {
  const n = typeof v === 'bigint' ? Number(BigInt.asIntN(32, v)) : v | 0;
  return Math.min(Math.max(n, lo), hi);
}

function render(components: readonly FormatComponent[], args: readonly PrintfArg[], out: OutBuf, opts: PrintfOptions, bufferSize: number): void {
  let ix = 0;
  for (const c of components) {
    if (c.type === 'literal') {
      const bytes = unescapeLiteral(c.literal);
      for (let i = 0; i < bytes.length && bytes[i] !== '\0' && out.fits(); i++) out.put(bytes[i]!);
      continue;
    }
    const bound = out.room();
    let width = -1;
    if (c.width === '*') width = clampInt(longArg(args, ix++), 0, bound);
    else if (c.width !== null) width = clampInt(c.width, 0, bound);
    let precision = -1;
    if (c.precision === '*') precision = clampInt(longArg(args, ix++), 0, bound);
    else if (c.precision !== null) precision = clampInt(c.precision, 0, bound);

    switch (c.type) {
      case 'pointer':
        if (opts.legacyPointer) {
          if (width === -1) width = 18;
          precision = width - 2;
          if (!c.flags.left) precision = Math.min(precision, 16);
        }
        putNumber(out, longArg(args, ix++), 16, width, precision, c.flags);
        break;
      case 'number':
        putNumber(out, longArg(args, ix++), c.base, width, precision, c.flags);
        break;
      case 'char':
        putChar(out, longArg(args, ix++), width, c.flags);
        break;
      case 'string':
        putMemory(out, { kind: 'string', text: stringArg(args, ix++) }, width, precision, 's', c.flags, bufferSize);
        break;
      case 'memory':
      case 'memory_hex':
        putMemory(out, memorySource(args[ix++], c.flags.special, opts), width, precision, c.type === 'memory' ? 'm' : 'M', c.flags, bufferSize);
        break;
      case 'binary':
        putBinary(out, longArg(args, ix++), width, precision, c.flags);
        break;
    }
  }
}

/**
 * %m/%M take an address in stap. A string argument is also accepted (tstap's user-space
 * interpreter has no target memory): its bytes are dumped, followed by NULs past its end.
 */
function memorySource(arg: PrintfArg | undefined, user: boolean, opts: PrintfOptions): ByteSource {
  if (arg === undefined) throw new Error('printf: missing argument');
  if (typeof arg === 'string') return { kind: 'string', text: arg };
  return {
    kind: 'memory',
    read: (n: number): string => {
      const got = opts.readMemory ? opts.readMemory(arg, n, user) : '';
      if (got.length < n) {
        const at = BigInt.asUintN(64, arg + BigInt(got.length));
        throw new StapRuntimeError(`read fault [man error::fault] at 0x${at.toString(16)}`);
      }
      return got;
    },
  };
}

function longArg(args: readonly PrintfArg[], ix: number): bigint {
  const a = args[ix];
  if (typeof a !== 'bigint') throw new TypeError(`printf: argument ${ix + 1} should be a long`);
  return a;
}

function stringArg(args: readonly PrintfArg[], ix: number): string {
  const a = args[ix];
  if (typeof a !== 'string') throw new TypeError(`printf: argument ${ix + 1} should be a string`);
  return a;
}
