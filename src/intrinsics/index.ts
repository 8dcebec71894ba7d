// The table of natively implemented tapset functions, by name, with one entry per overload.

import type { Intrinsic, IntrinsicContext, RetType, StapType, Value } from './types.js';
import { ANSI_INTRINSICS } from './ansi.js';
import { BYTEORDER_INTRINSICS } from './byteorder.js';
import { CONVERSION_INTRINSICS } from './conversions.js';
import { CTIME_INTRINSICS } from './ctime.js';
import { DEVNUM_INTRINSICS } from './devnum.js';
import { ERRNO_INTRINSICS } from './errno.js';
import { SYSCALL_INTRINSICS } from './syscalls.js';
import { ESCAPE_INTRINSICS } from './escape.js';
import { FLOATINGPOINT_INTRINSICS } from './floatingpoint.js';
import { IP_INTRINSICS } from './ip.js';
import { LOGGING_INTRINSICS } from './logging.js';
import { RANDOM_INTRINSICS } from './random.js';
import { REGEX_INTRINSICS } from './regex.js';
import { RLIMIT_INTRINSICS } from './rlimit.js';
import { SESSION_INTRINSICS } from './session.js';
import { SIGNAL_INTRINSICS } from './signals.js';
import { STRING_INTRINSICS } from './strings.js';
import { TIME_INTRINSICS } from './time.js';
import { TOKENIZE_INTRINSICS } from './tokenize.js';

export type { Intrinsic, IntrinsicContext, RegexMatch, RetType, SessionInfo, StapType, Value } from './types.js';
export { IntrinsicState, StapRuntimeError } from './types.js';
export type { ParamSpec } from './define.js';
export { createIntrinsicContext, defaultSession, DEFAULT_MAXSTRINGLEN, type ContextOptions } from './context.js';

const ALL: readonly (readonly Intrinsic[])[] = [
  STRING_INTRINSICS, ESCAPE_INTRINSICS, TOKENIZE_INTRINSICS, ERRNO_INTRINSICS, SYSCALL_INTRINSICS, TIME_INTRINSICS,
  CTIME_INTRINSICS, CONVERSION_INTRINSICS, BYTEORDER_INTRINSICS, DEVNUM_INTRINSICS, IP_INTRINSICS,
  RANDOM_INTRINSICS, FLOATINGPOINT_INTRINSICS, SIGNAL_INTRINSICS, ANSI_INTRINSICS, SESSION_INTRINSICS,
  REGEX_INTRINSICS, LOGGING_INTRINSICS, RLIMIT_INTRINSICS,
];

function buildTable(): ReadonlyMap<string, readonly Intrinsic[]> {
  const table = new Map<string, Intrinsic[]>();
  for (const group of ALL) {
    for (const fn of group) {
      const overloads = table.get(fn.name) ?? [];
      if (overloads.some((o) => o.params.length === fn.params.length)) {
        throw new Error(`intrinsic ${fn.name}/${fn.params.length} defined twice`);
      }
      overloads.push(fn);
      table.set(fn.name, overloads);
    }
  }
  return table;
}

/** Every intrinsic by tapset function name; stap overloads only by arity, so at most one per count. */
export const INTRINSICS: ReadonlyMap<string, readonly Intrinsic[]> = buildTable();

/** The overload of `name` taking `arity` arguments, if it is implemented natively. */
export function findIntrinsic(name: string, arity: number): Intrinsic | undefined {
  return INTRINSICS.get(name)?.find((f) => f.params.length === arity);
}

/** One declared parameter of an intrinsic, as stap's tapset names and types it. */
export interface IntrinsicParam {
  readonly name: string;
  readonly type: StapType;
}

/** An intrinsic's tapset declaration: `function NAME:ret (params[0].name:params[0].type, ...)`. */
export interface IntrinsicDeclaration {
  readonly params: IntrinsicParam[];
  readonly ret: RetType;
}

/**
 * The declared signature of the overload of `name` taking `arity` arguments (what `stap -p2`
 * prints for it in `# functions`), or undefined if it is not implemented natively. A negative
 * `arity` picks the first overload defined, for callers that only need some overload's shape.
 * `params` is a fresh array the caller may keep or modify.
 */
export function intrinsicSignature(name: string, arity: number): IntrinsicDeclaration | undefined {
  const fn = arity < 0 ? INTRINSICS.get(name)?.[0] : findIntrinsic(name, arity);
  if (fn === undefined) return undefined;
  return { params: fn.params.map((type, i) => ({ name: fn.paramNames[i]!, type })), ret: fn.ret };
}

/** Calls the overload of `name` matching the number of `args`; throws if there is none. */
export function callIntrinsic(ctx: IntrinsicContext, name: string, ...args: Value[]): Value | undefined {
  const fn = findIntrinsic(name, args.length);
  if (fn === undefined) throw new Error(`no intrinsic ${name}/${args.length}`);
  return fn.impl(ctx, args);
}
