// Call-depth indentation: indent, indent_depth (tapset/indent.stp with indent-default.stp's microsecond timestamps).

import type { Intrinsic, IntrinsicContext } from './types.js';
import { dec } from './cformat.js';
import { intrinsic } from './define.js';
import { gettimeofdayNs } from './time.js';

// indent() uses the counter at index -1; thread_indent() (per tid) needs a task and is not here.
const GLOBAL_INDEX = -1n;

/** Pre-increments for a positive delta, post-decrements for a negative one; depth is never < 0. */
export function indentDepth(ctx: IntrinsicContext, idx: bigint, delta: bigint): bigint {
  const counters = ctx.state.indentCounters;
  const cur = counters.get(idx) ?? 0n;
  const x = cur + (delta > 0n ? delta : 0n);
  counters.set(idx, BigInt.asIntN(64, cur + delta));
  return x > 0n ? x - 1n : 0n;
}

/** "%6d %s:%-*s": microseconds since the outermost entry, the label, then depth spaces. */
export function genericIndent(ctx: IntrinsicContext, idx: bigint, desc: string, delta: bigint): string {
  const ts = gettimeofdayNs(ctx) / 1000n;
  if ((ctx.state.indentCounters.get(idx) ?? 0n) === 0n) ctx.state.indentTimestamps.set(idx, ts);
  const depth = indentDepth(ctx, idx, delta);
  const since = ts - (ctx.state.indentTimestamps.get(idx) ?? 0n);
  const room = ctx.maxStringLen;
  return `${dec(since, 6)} ${desc}:${' '.repeat(Number(depth < BigInt(room) ? depth : BigInt(room)))}`;
}

export const INDENT_INTRINSICS: readonly Intrinsic[] = [
  intrinsic('indent', ['delta:long'], 'string', (ctx, delta) => genericIndent(ctx, GLOBAL_INDEX, '', delta)),
  intrinsic('indent_depth', ['delta:long'], 'long', (ctx, delta) => indentDepth(ctx, GLOBAL_INDEX, delta)),
];
