// Clocks: gettimeofday_*, local_clock_*, cpu_clock_*, ktime_get_ns, HZ (linux/timestamp*.stp).

import { StapRuntimeError, type Intrinsic, type IntrinsicContext } from './types.js';
import { intrinsic } from './define.js';

// The _us/_ms/_s variants are script functions dividing the _ns value (truncating, as C does).
const UNITS: readonly (readonly [string, bigint])[] = [['ns', 1n], ['us', 1000n], ['ms', 1000000n], ['s', 1000000000n]];

/**
 * gettimeofday_ns(): stap's clock reports a negative reading as an uninitialized time base.
 * Everything built on gettimeofday (ctime()) goes through here.
 */
export function gettimeofdayNs(ctx: IntrinsicContext): bigint {
  const ns = ctx.now();
  if (ns < 0n) throw new StapRuntimeError('gettimeofday not initialized');
  return ns;
}

function cpuClockNs(ctx: IntrinsicContext, cpu: bigint): bigint {
  if (cpu < 0n || cpu > BigInt(Number.MAX_SAFE_INTEGER) || !ctx.session.onlineCpus.has(Number(cpu))) {
    throw new StapRuntimeError(`cpu ${cpu} is not online`);
  }
  return ctx.monotonicNs();
}

export const TIME_INTRINSICS: readonly Intrinsic[] = [
  ...UNITS.flatMap(([unit, div]) => [
    intrinsic(`gettimeofday_${unit}`, [], 'long', (ctx) => gettimeofdayNs(ctx) / div),
    intrinsic(`local_clock_${unit}`, [], 'long', (ctx) => ctx.monotonicNs() / div),
    intrinsic(`cpu_clock_${unit}`, ['cpu:long'], 'long', (ctx, cpu) => cpuClockNs(ctx, cpu) / div),
  ]),
  intrinsic('ktime_get_ns', [], 'long', (ctx) => ctx.monotonicNs()),
  intrinsic('HZ', [], 'long', (ctx) => BigInt(ctx.session.hz)),
];
