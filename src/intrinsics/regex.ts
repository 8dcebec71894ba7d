// Sub-match access after `=~`: matched, matched_str, ngroups (tapset/regex.stp).

import { StapRuntimeError, type Intrinsic, type IntrinsicContext } from './types.js';
import { intrinsic } from './define.js';

// The C code records an error and carries on, so a later message overwrites an earlier one;
// only the last one raised reaches the user.
function matched(ctx: IntrinsicContext, n: bigint): string {
  const m = ctx.state.lastMatch;
  let error: string | null = null;
  if (m === null || !m.result) error = `Attempted to get subexpression ${n} from failed match`;
  // stap indexes its tag array unchecked for a negative n; we report it as nonexistent.
  const groups = m?.groups ?? [];
  if (n < 0n || n >= BigInt(groups.length)) {
    throw new StapRuntimeError(`Attempted to get nonexistent subexpression ${n}`);
  }
  let [start, end] = groups[Number(n)]!;
  if (start < 0 || end < 0) start = end = 0;
  if (start > end) error = `BUG: inverted coordinates for subexpression ${n}`;
  if (error !== null) throw new StapRuntimeError(error);
  return m!.subject.slice(start, end);
}

export const REGEX_INTRINSICS: readonly Intrinsic[] = [
  intrinsic('matched', ['n:long'], 'string', (ctx, n) => matched(ctx, n)),
  intrinsic('matched_str', [], 'string', (ctx) => matched(ctx, 0n)),
  intrinsic('ngroups', [], 'long', (ctx) => {
    const m = ctx.state.lastMatch;
    if (m === null || !m.result) throw new StapRuntimeError('Attempted to get subexpression count from failed match');
    return BigInt(m.groups.length);
  }),
];
