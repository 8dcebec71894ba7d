// IEEE-754 doubles carried in longs: fp_* , long_to_fp, string_to_fp, fp32_to_fp64 (tapset/floatingpoint.stp over runtime/softfloat.c).

import { StapRuntimeError, type Intrinsic, type IntrinsicContext } from './types.js';
import { bool, intrinsic, maxLen } from './define.js';

const view = new DataView(new ArrayBuffer(8));
const EXP_MASK = 0x7ff0000000000000n;
const FRAC_MASK = 0x000fffffffffffffn;
const QUIET_BIT = 0x0008000000000000n;
/** softfloat's default NaN for this build (runtime/softfloat/specialize.h). */
const DEFAULT_NAN = 0x7ff8000000000000n;

function toDouble(bits: bigint): number {
  view.setBigUint64(0, BigInt.asUintN(64, bits));
  return view.getFloat64(0);
}

function toBits(d: number): bigint {
  view.setFloat64(0, d);
  return view.getBigUint64(0);
}

function isNaNBits(u: bigint): boolean {
  return (u & EXP_MASK) === EXP_MASK && (u & FRAC_MASK) !== 0n;
}

function isSignalingNaN(u: bigint): boolean {
  return (u & 0x7ff8000000000000n) === 0x7ff0000000000000n && (u & 0x0007ffffffffffffn) !== 0n;
}

// JS cannot be trusted with NaN payloads, so NaN operands are resolved on the bits, the way
// softfloat_propagateNaNF64UI does: a signaling operand wins (quieted), else the first NaN.
function propagateNaN(a: bigint, b: bigint): bigint {
  if (isSignalingNaN(a) || isSignalingNaN(b)) return (isSignalingNaN(a) ? a : b) | QUIET_BIT;
  return isNaNBits(a) ? a : b;
}

/** A softfloat binary operation: exact IEEE result in round-to-nearest-even, invalid → default NaN. */
function binary(a: bigint, b: bigint, op: (x: number, y: number) => number): bigint {
  const ua = BigInt.asUintN(64, a);
  const ub = BigInt.asUintN(64, b);
  if (isNaNBits(ua) || isNaNBits(ub)) return propagateNaN(ua, ub);
  const r = op(toDouble(ua), toDouble(ub));
  return Number.isNaN(r) ? DEFAULT_NAN : toBits(r);
}

/** IEEE remainder (quotient rounded to nearest even), which is what f64_rem computes, not fmod. */
export function ieeeRemainder(x: number, y: number): number {
  if (!Number.isFinite(x) || y === 0) return NaN;
  if (!Number.isFinite(y)) return x;
  const ay = Math.abs(y);
  const twice = 2 * ay;
  const r = Number.isFinite(twice) ? x % twice : x;
  let ar = Math.abs(r);
  let odd = false;
  if (ar >= ay) {
    ar -= ay;
    odd = true;
  }
  if (2 * ar > ay || (2 * ar === ay && odd)) ar -= ay;
  return x < 0 || Object.is(x, -0) ? -ar : ar;
}

/**
 * f64_to_i64: rounding modes 0 near-even, 1 toward zero, 2 down, 3 up, 4 near-away (others act
 * as 1, the mode is taken as a byte); NaN gives 0, out-of-range values saturate.
 */
export function fpToLong(bits: bigint, modeArg: bigint): bigint {
  const u = BigInt.asUintN(64, bits);
  const sign = u >> 63n === 1n;
  const exp = (u >> 52n) & 0x7ffn;
  let sig = u & FRAC_MASK;
  const saturate = sign ? -(1n << 63n) : (1n << 63n) - 1n;
  if (exp > 0x43en) return exp === 0x7ffn && sig !== 0n ? 0n : saturate;
  if (exp !== 0n) sig |= 1n << 52n;
  // |value| = sig * 2^(exp - 0x433): split into an integer part and a fraction compared with 1/2.
  const shift = 0x433n - exp;
  let int: bigint;
  let fracCmp: number; // sign of (fraction - 1/2), or -2 for an exact zero fraction
  if (shift <= 0n) {
    int = sig << -shift;
    fracCmp = -2;
  } else {
    int = sig >> shift;
    const rem = sig - (int << shift);
    const half = 1n << (shift - 1n);
    fracCmp = rem === 0n ? -2 : rem < half ? -1 : rem === half ? 0 : 1;
  }
  const mode = BigInt.asUintN(8, modeArg);
  let up = false;
  if (mode === 0n) up = fracCmp > 0 || (fracCmp === 0 && (int & 1n) === 1n);
  else if (mode === 4n) up = fracCmp >= 0;
  else if (fracCmp !== -2) up = sign ? mode === 2n : mode === 3n;
  if (up) int++;
  if (int >= 1n << 64n) return saturate;
  const z = BigInt.asIntN(64, sign ? -int : int);
  if (z !== 0n && z < 0n !== sign) return saturate;
  return z;
}

/**
 * stap's own f64_to_str, reproduced with its quirks on x86-64: the integer part is sig shifted
 * by (52 - exponent) with the shift count masked to 6 bits (so values below ~2^-11 or at or above
 * 2^53 print nonsense, as in stap); `precision` digits are cut, not rounded, except the last,
 * which is bumped when the next digit is >= 5 without carrying (0.96 at precision 1 is "0.10").
 * Output past MAXSTRINGLEN-1 bytes is cut (stap would overrun its buffer).
 */
export function fpToString(ctx: IntrinsicContext, bits: bigint, precisionArg: bigint): string {
  const u = BigInt.asUintN(64, bits);
  const max = maxLen(ctx);
  let sig = u & FRAC_MASK;
  const biased = (u >> 52n) & 0x7ffn;
  if (biased !== 0n) sig |= 1n << 52n;
  const exp32 = BigInt.asUintN(32, biased - 1023n);
  const count = BigInt.asUintN(32, 52n - exp32) & 63n;
  const base = 1n << count;
  let out = (u >> 63n === 1n ? '-' : '') + (sig >> count).toString() + '.';
  let frac = sig & (base - 1n);
  const precision = Number(BigInt.asIntN(32, precisionArg));
  for (let i = 0; i < precision - 1 && out.length < max; i++) {
    frac = BigInt.asUintN(64, frac * 10n);
    out += (frac / base).toString();
    frac %= base;
  }
  frac = BigInt.asUintN(64, frac * 10n);
  let last = frac / base;
  frac %= base;
  let next = 0n;
  if (frac !== 0n) next = BigInt.asUintN(64, frac * 10n) / base;
  if (next >= 5n) last++;
  out += last.toString();
  return out.length > max ? out.slice(0, max) : out;
}

function isDigitAt(s: string, i: number): boolean {
  return i < s.length && s[i]! >= '0' && s[i]! <= '9';
}

/**
 * stap's str_to_f64: [sign] digits [. digits] [e|E [sign] digits], evaluated with correctly
 * rounded double steps (value*10+d, then divided by a power of ten built by repeated *10 or /10),
 * so it can differ from strtod in the last bit. Anything else, or a NaN result, is an error.
 */
export function stringToFp(s: string): bigint {
  let i = 0;
  const sign = s[0] === '-' ? -1 : 1;
  if (s[0] === '-' || s[0] === '+') i++;
  let value = 0;
  for (; isDigitAt(s, i); i++) value = value * 10 + (s.charCodeAt(i) - 48);
  if (s[i] === '.') i++;
  let power = 1;
  for (; isDigitAt(s, i); i++) {
    value = value * 10 + (s.charCodeAt(i) - 48);
    power *= 10;
  }
  if (s[i] === 'e' || s[i] === 'E') {
    i++;
    const negExp = s[i] === '-';
    if (s[i] === '-' || s[i] === '+') i++;
    let exp = 0;
    for (; isDigitAt(s, i); i++) exp = exp * 10 + (s.charCodeAt(i) - 48);
    // Once power reaches 0 or Infinity further steps cannot change it; stop there rather than
    // count down an exponent that may be astronomically large (where stap itself would spin).
    while (exp !== 0 && power !== 0 && power !== Infinity) {
      power = negExp ? power * 10 : power / 10;
      exp -= 1;
    }
  }
  const r = sign * (value / power);
  if (i !== s.length || Number.isNaN(r)) throw new StapRuntimeError('invalid format');
  return BigInt.asIntN(64, toBits(r));
}

/** f32_to_f64 of the low 32 bits; a NaN keeps its sign and payload, quieted. */
export function fp32ToFp64(v: bigint): bigint {
  const u = BigInt.asUintN(32, v);
  if ((u & 0x7f800000n) === 0x7f800000n && (u & 0x7fffffn) !== 0n) {
    return ((u >> 31n) << 63n) | DEFAULT_NAN | ((u & 0x7fffffn) << 29n);
  }
  view.setUint32(0, Number(u));
  return toBits(view.getFloat32(0));
}

const s64 = (u: bigint): bigint => BigInt.asIntN(64, u);
const cmp = (a: bigint, b: bigint, op: (x: number, y: number) => boolean): bigint =>
  bool(op(toDouble(a), toDouble(b)));

export const FLOATINGPOINT_INTRINSICS: readonly Intrinsic[] = [
  intrinsic('fp_to_string', ['infp:long', 'precision:long'], 'string', (ctx, fp, precision) => fpToString(ctx, fp, precision)),
  intrinsic('string_to_fp', ['input:string'], 'long', (_ctx, s) => stringToFp(s)),
  intrinsic('long_to_fp', ['input:long'], 'long', (_ctx, v) => s64(toBits(Number(v)))),
  // `exact` only raises softfloat's inexact flag, which nothing reads.
  intrinsic('fp_to_long', ['infp:long', 'roundingMode:long', 'exact:long'], 'long', (_ctx, fp, mode) => fpToLong(fp, mode)),
  intrinsic('fp_add', ['add1:long', 'add2:long'], 'long', (_ctx, a, b) => s64(binary(a, b, (x, y) => x + y))),
  intrinsic('fp_sub', ['sub1:long', 'sub2:long'], 'long', (_ctx, a, b) => s64(binary(a, b, (x, y) => x - y))),
  intrinsic('fp_mul', ['mul1:long', 'mul2:long'], 'long', (_ctx, a, b) => s64(binary(a, b, (x, y) => x * y))),
  intrinsic('fp_div', ['div1:long', 'div2:long'], 'long', (_ctx, a, b) => s64(binary(a, b, (x, y) => x / y))),
  intrinsic('fp_rem', ['div1:long', 'div2:long'], 'long', (_ctx, a, b) => s64(binary(a, b, ieeeRemainder))),
  intrinsic('fp_sqrt', ['infp:long'], 'long', (_ctx, a) => s64(binary(a, 0n, (x) => Math.sqrt(x)))),
  // Comparisons with a NaN are false; -0 equals +0.
  intrinsic('fp_eq', ['infp1:long', 'infp2:long'], 'long', (_ctx, a, b) => cmp(a, b, (x, y) => x === y)),
  intrinsic('fp_le', ['infp1:long', 'infp2:long'], 'long', (_ctx, a, b) => cmp(a, b, (x, y) => x <= y)),
  intrinsic('fp_lt', ['infp1:long', 'infp2:long'], 'long', (_ctx, a, b) => cmp(a, b, (x, y) => x < y)),
  intrinsic('fp32_to_fp64', ['input:long'], 'long', (_ctx, v) => s64(fp32ToFp64(v))),
];
