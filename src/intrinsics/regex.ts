// Sub-match access after `=~`: matched, matched_str, ngroups (tapset/regex.stp).

import { StapRuntimeError, type Intrinsic, type IntrinsicContext } from './types.js';
import { intrinsic } from './define.js';

// stap's C code records an error and carries on, so a later message replaces an earlier one:
// "nonexistent" wins over "failed match".
function matched(ctx: IntrinsicContext, n: bigint): string {
  const m = ctx.state.lastMatch;
  // stap indexes its tag array unchecked for a negative n; we report it as nonexistent.
  if (n < 0n || n >= BigInt(m?.count ?? 0)) throw new StapRuntimeError(`Attempted to get nonexistent subexpression ${n}`);
  if (!m!.result) throw new StapRuntimeError(`Attempted to get subexpression ${n} from failed match`);
  let [start, end] = m!.group(Number(n));
  if (start < 0 || end < 0) start = end = 0;
  return m!.subject.slice(start, end);
}

export const REGEX_INTRINSICS: readonly Intrinsic[] = [
  intrinsic('matched', ['n:long'], 'string', (ctx, n) => matched(ctx, n)),
  intrinsic('matched_str', [], 'string', (ctx) => matched(ctx, 0n)),
  intrinsic('ngroups', [], 'long', (ctx) => {
    const m = ctx.state.lastMatch;
    if (m === null || !m.result) throw new StapRuntimeError('Attempted to get subexpression count from failed match');
    return BigInt(m.count);
  }),
];
