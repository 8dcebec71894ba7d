// Named wall-clock stopwatches: start/stop/delete_stopwatch, read_stopwatch_* (tapset/stopwatch.stp).

import type { Intrinsic, IntrinsicContext } from './types.js';
import { intrinsic } from './define.js';
import { gettimeofdayNs } from './time.js';

// A start time of 0 means "stopped", as in the tapset's global arrays.
function watch(ctx: IntrinsicContext, name: string): { start: bigint; acc: bigint } {
  let w = ctx.state.stopwatches.get(name);
  if (w === undefined) {
    w = { start: 0n, acc: 0n };
    ctx.state.stopwatches.set(name, w);
  }
  return w;
}

function readNs(ctx: IntrinsicContext, name: string): bigint {
  const w = watch(ctx, name);
  const delta = w.start !== 0n ? gettimeofdayNs(ctx) - w.start : 0n;
  return BigInt.asIntN(64, w.acc + delta);
}

const UNITS: readonly (readonly [string, bigint])[] = [['ns', 1n], ['us', 1000n], ['ms', 1000000n], ['s', 1000000000n]];

export const STOPWATCH_INTRINSICS: readonly Intrinsic[] = [
  // Starting a running stopwatch changes nothing.
  intrinsic('start_stopwatch', ['name:string'], 'unknown', (ctx, name) => {
    const w = watch(ctx, name);
    if (w.start === 0n) w.start = gettimeofdayNs(ctx);
  }),
  intrinsic('stop_stopwatch', ['name:string'], 'unknown', (ctx, name) => {
    const w = watch(ctx, name);
    const delta = w.start !== 0n ? gettimeofdayNs(ctx) - w.start : 0n;
    w.start = 0n;
    w.acc = BigInt.asIntN(64, w.acc + delta);
  }),
  intrinsic('delete_stopwatch', ['name:string'], 'unknown', (ctx, name) => {
    ctx.state.stopwatches.delete(name);
  }),
  ...UNITS.map(([unit, div]) => intrinsic(`read_stopwatch_${unit}`, ['name:string'], 'long', (ctx, name) => readNs(ctx, name) / div)),
];
