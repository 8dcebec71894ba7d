// randint (tapset/random.stp): the runtime's 64-bit LCG (runtime/linux/arith.c _stp_random_u).

import { StapRuntimeError, type Intrinsic, type IntrinsicContext } from './types.js';
import { intrinsic } from './define.js';

const RANDMAX = 1024n * 1024n;

/** One step of glibc's documented rand() LCG over an unsigned long; 0 for n == 0. */
export function randomU(ctx: IntrinsicContext, n: bigint): bigint {
  const st = ctx.state;
  const seed = BigInt.asUintN(64, (st.rngSeed ?? BigInt.asUintN(64, st.initialSeed)) * 1103515245n + 12345n);
  st.rngSeed = seed;
  return n === 0n ? 0n : seed % n;
}

export const RANDOM_INTRINSICS: readonly Intrinsic[] = [
  // n is compared as unsigned, so any negative n is "too wide".
  intrinsic('randint', ['n:long'], 'long', (ctx, n) => {
    const un = BigInt.asUintN(64, n);
    if (un > RANDMAX) throw new StapRuntimeError('range too wide');
    return randomU(ctx, un);
  }),
];
