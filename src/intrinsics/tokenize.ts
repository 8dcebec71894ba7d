// tokenize(): stateful strsep() over the last non-empty input (tapset/tokenize.stp).

import type { Intrinsic, IntrinsicContext } from './types.js';
import { clampString, intrinsic } from './define.js';

export const TOKENIZE_INTRINSICS: readonly Intrinsic[] = [
  intrinsic('tokenize', ['delim:string'], 'string', (ctx, delim) => tokenize(ctx, '', delim)),
  intrinsic('tokenize', ['input:string', 'delim:string'], 'string', (ctx, input, delim) => tokenize(ctx, input, delim)),
];

/**
 * A non-empty input replaces the saved copy; then strsep() runs until it yields a non-empty token
 * (so runs of delimiters are skipped) or the copy is exhausted, which returns "". An empty delim
 * returns the whole remainder. An empty input continues the previous string: the state lives
 * in the probe context, so it outlives the handler that started it.
 */
export function tokenize(ctx: IntrinsicContext, input: string, delim: string): string {
  const st = ctx.state.tokenize;
  if (input !== '') {
    st.buf = clampString(ctx, input);
    st.pos = 0;
  }
  while (st.pos !== null) {
    const start: number = st.pos;
    let end = start;
    while (end < st.buf.length && !delim.includes(st.buf[end]!)) end++;
    st.pos = end < st.buf.length ? end + 1 : null;
    if (end > start) return st.buf.slice(start, end);
  }
  return '';
}
