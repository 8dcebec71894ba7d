// Byte-order conversions: hton*/ntoh* (linux/inet.stp) and big_/little_endian* (linux/endian.stp), for a little-endian host.

import type { Intrinsic } from './types.js';
import { intrinsic } from './define.js';

/** Reverses the low `bytes` bytes of v (the kernel's swab16/32/64 on the truncated value). */
export function swab(v: bigint, bytes: number): bigint {
  let x = BigInt.asUintN(bytes * 8, v);
  let r = 0n;
  for (let i = 0; i < bytes; i++) {
    r = (r << 8n) | (x & 0xffn);
    x >>= 8n;
  }
  return r;
}

// On x86-64/arm64 "to big endian" and "from network order" are both a swap; "to little endian"
// only truncates. 16/32-bit results are unsigned, 64-bit ones reinterpret as int64.
const SIZES: readonly (readonly [number, string, string])[] = [[2, 's', '2'], [4, 'l', '4'], [8, 'll', '8']];

export const BYTEORDER_INTRINSICS: readonly Intrinsic[] = SIZES.flatMap(([bytes, inet, endian]) => [
  intrinsic(`hton${inet}`, ['x:long'], 'long', (_ctx, x) => swab(x, bytes)),
  intrinsic(`ntoh${inet}`, ['x:long'], 'long', (_ctx, x) => swab(x, bytes)),
  intrinsic(`big_endian${endian}`, ['val:long'], 'long', (_ctx, x) => swab(x, bytes)),
  intrinsic(`little_endian${endian}`, ['val:long'], 'long', (_ctx, x) => BigInt.asUintN(bytes * 8, x)),
]);
