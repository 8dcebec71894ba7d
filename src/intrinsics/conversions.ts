// Human-readable durations and sizes: *secs_to_string, cputime_to_*, bytes/pages_to_string (linux/task_time.stp, proc_mem.stp).

import type { Intrinsic, IntrinsicContext } from './types.js';
import { dec } from './cformat.js';
import { intrinsic } from './define.js';

/** "%dm%d.%.Nds" of minutes, seconds and the remainder, with C's truncating / and %. */
function durationToString(v: bigint, perSec: bigint, digits: number): string {
  const frac = v % perSec;
  const secs = v / perSec;
  return `${dec(secs / 60n)}m${dec(secs % 60n)}.${dec(frac, -1, digits)}s`;
}

// A 5-character "x.yyK" / "xx.yK" / " xxxK" figure; y is the remainder in 1/1024ths.
function withSuffix(x: bigint, y: bigint, suffix: string): string {
  if (x < 10n) return `${dec(x)}.${dec((y * 100n) / 1024n, -1, 2)}${suffix}`;
  if (x < 100n) return `${dec(x, 2)}.${dec((y * 10n) / 1024n)}${suffix}`;
  return `${dec(x, 4)}${suffix}`;
}

export function bytesToString(bytes: bigint): string {
  if (bytes < 1024n) return dec(bytes, 5);
  let v = bytes;
  for (const suffix of ['K', 'M']) {
    const remain = v % 1024n;
    v /= 1024n;
    if (v < 1024n) return withSuffix(v, remain, suffix);
  }
  return withSuffix(v / 1024n, v % 1024n, 'G');
}

function gcd(a: bigint, b: bigint): bigint {
  return b === 0n ? a : gcd(b, a % b);
}

/** Jiffies at `hz` to units of 1/perSec s: multiply by num, divide by den (the reduced ratio). */
export function jiffiesFactors(perSec: bigint, hz: bigint): [bigint, bigint] {
  const g = gcd(perSec, hz);
  return [perSec / g, hz / g];
}

/**
 * Modern kernels have no cputime_to_msecs/usecs, so stap's fallback treats cputime as jiffies:
 * jiffies_to_msecs rounds up, jiffies_to_usecs rounds down, both in u64 and returned as u32.
 */
function jiffiesTo(ctx: IntrinsicContext, j: bigint, perSec: bigint, roundUp: boolean): bigint {
  const [num, den] = jiffiesFactors(perSec, BigInt(ctx.session.hz));
  const scaled = BigInt.asUintN(64, BigInt.asUintN(64, j) * num);
  const q = roundUp ? BigInt.asUintN(64, scaled + den - 1n) / den : scaled / den;
  return BigInt.asUintN(32, q);
}

export const CONVERSION_INTRINSICS: readonly Intrinsic[] = [
  intrinsic('msecs_to_string', ['msecs:long'], 'string', (_ctx, v) => durationToString(v, 1000n, 3)),
  intrinsic('usecs_to_string', ['usecs:long'], 'string', (_ctx, v) => durationToString(v, 1000000n, 6)),
  intrinsic('nsecs_to_string', ['nsecs:long'], 'string', (_ctx, v) => durationToString(v, 1000000000n, 9)),
  intrinsic('cputime_to_msecs', ['cputime:long'], 'long', (ctx, c) => jiffiesTo(ctx, c, 1000n, true)),
  intrinsic('cputime_to_usecs', ['cputime:long'], 'long', (ctx, c) => jiffiesTo(ctx, c, 1000000n, false)),
  intrinsic('cputime_to_string', ['cputime:long'], 'string', (ctx, c) => durationToString(jiffiesTo(ctx, c, 1000n, true), 1000n, 3)),
  intrinsic('bytes_to_string', ['bytes:long'], 'string', (_ctx, b) => bytesToString(b)),
  intrinsic('pages_to_string', ['pages:long'], 'string', (ctx, p) =>
    bytesToString(BigInt.asIntN(64, p * BigInt(ctx.session.pageSize)))),
  intrinsic('mem_page_size', [], 'long', (ctx) => BigInt(ctx.session.pageSize)),
];
