// Messages and script errors: log, warn, error, assert (tapset/logging.stp). exit/abort stay with the interpreter.

import { StapRuntimeError, type Intrinsic, type IntrinsicContext } from './types.js';
import { clampString, intrinsic } from './define.js';

// error() copies msg into the context's error buffer and clears last_stmt, so stap prints the
// message without the "near ..." location.
function raise(ctx: IntrinsicContext, msg: string): never {
  throw new StapRuntimeError(clampString(ctx, msg), false);
}

export const LOGGING_INTRINSICS: readonly Intrinsic[] = [
  intrinsic('log', ['msg:string'], 'unknown', (ctx, msg) => ctx.print(`${msg}\n`)),
  intrinsic('warn', ['msg:string'], 'unknown', (ctx, msg) => ctx.warn(msg)),
  intrinsic('error', ['msg:string'], 'unknown', (ctx, msg) => raise(ctx, msg)),
  intrinsic('assert', ['expression:long'], 'unknown', (ctx, expr) => {
    if (expr === 0n) raise(ctx, 'Assertion failed');
  }),
  intrinsic('assert', ['expression:long', 'msg:string'], 'unknown', (ctx, expr, msg) => {
    if (expr === 0n) raise(ctx, msg);
  }),
];
