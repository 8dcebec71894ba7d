// The basic string functions of tapset/string.stp: strlen, substr, stringat, isinstr, strpos, str_replace, strtol, isdigit.

import { StapRuntimeError, type Intrinsic } from './types.js';
import { bool, clampString, intrinsic } from './define.js';

export const STRING_INTRINSICS: readonly Intrinsic[] = [
  intrinsic('strlen', ['s:string'], 'long', (_ctx, s) => BigInt(s.length)),

  // The copy size is clamp(length + 1, 0, MAXSTRINGLEN) for strlcpy, computed in int64, so a
  // length of INT64_MAX wraps to a size of 0 and yields "".
  intrinsic('substr', ['str:string', 'start:long', 'length:long'], 'string', (ctx, s, start, length) => {
    if (start < 0n || start >= BigInt(s.length)) return '';
    let size = BigInt.asIntN(64, length + 1n);
    if (size < 0n) size = 0n;
    if (size > BigInt(ctx.maxStringLen)) size = BigInt(ctx.maxStringLen);
    const n = size === 0n ? 0 : Number(size) - 1;
    return s.slice(Number(start), Number(start) + n);
  }),

  // C's `char` is signed on x86-64, so bytes >= 0x80 come back negative (stringat("\xff", 0) == -1).
  intrinsic('stringat', ['str:string', 'pos:long'], 'long', (_ctx, s, pos) => {
    if (pos >= 0n && pos < BigInt(s.length)) return BigInt.asIntN(8, BigInt(s.charCodeAt(Number(pos))));
    throw new StapRuntimeError('Position out of bounds');
  }),

  intrinsic('isinstr', ['s1:string', 's2:string'], 'long', (_ctx, s1, s2) => bool(s1.includes(s2))),

  intrinsic('strpos', ['s1:string', 's2:string'], 'long', (_ctx, s1, s2) => BigInt(s1.indexOf(s2))),

  // Non-overlapping, left to right (repeated strstr); an empty search string returns the input.
  intrinsic('str_replace', ['prnt_str:string', 'srch_str:string', 'rplc_str:string'], 'string', (ctx, s, search, repl) =>
    search === '' ? s : clampString(ctx, s.split(search).join(repl))),

  intrinsic('strtol', ['str:string', 'base:long'], 'long', (_ctx, s, base) => simpleStrtol(s, base)),

  // The kernel's isdigit() yields 0 or 1.
  intrinsic('isdigit', ['str:string'], 'long', (_ctx, s) => bool(s.length > 0 && s[0]! >= '0' && s[0]! <= '9')),
];

/**
 * The kernel's simple_strtol() (lib/vsprintf.c, lib/kstrtox.c): no whitespace skipping, only a
 * leading '-' (not '+'), base 0 picks 16/8/10 from a 0x/0 prefix, base 16 skips "0x", digits
 * are 0-9 and a-f/A-F below the base (the base is taken as unsigned int), and the value wraps
 * modulo 2^64 instead of saturating.
 */
export function simpleStrtol(s: string, baseArg: bigint): bigint {
  if (s[0] === '-') return BigInt.asIntN(64, -simpleStrtoull(s.slice(1), baseArg));
  return BigInt.asIntN(64, simpleStrtoull(s, baseArg));
}

function simpleStrtoull(s: string, baseArg: bigint): bigint {
  let base = BigInt.asUintN(32, baseArg);
  let i = 0;
  const lower = (k: number): number => (k < s.length ? s.charCodeAt(k) | 0x20 : 0);
  if (base === 0n) {
    if (s[0] === '0') base = lower(1) === 0x78 && hexDigit(s.charCodeAt(2)) >= 0 ? 16n : 8n;
    else base = 10n;
  }
  if (base === 16n && s[0] === '0' && lower(1) === 0x78) i = 2;
  let v = 0n;
  for (; i < s.length; i++) {
    const d = hexDigit(s.charCodeAt(i));
    if (d < 0 || BigInt(d) >= base) break;
    v = BigInt.asUintN(64, v * base + BigInt(d));
  }
  return v;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lc = c | 0x20;
  if (lc >= 0x61 && lc <= 0x66) return lc - 0x61 + 10;
  return -1;
}
