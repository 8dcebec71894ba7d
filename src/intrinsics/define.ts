// Building typed Intrinsic entries, and the C-string/int64 rules every intrinsic shares.

import type { Intrinsic, IntrinsicContext, RetType, StapType, Value } from './types.js';

/**
 * One declared parameter, written as in a tapset declaration: `'s:string'`, `'base:long'`. The
 * name is the one stap's tapset gives it (what `stap -p2` prints), the type one of StapType.
 */
export type ParamSpec = `${string}:${StapType}`;

type TypeOfSpec<S extends ParamSpec> = S extends `${string}:${infer T extends StapType}` ? T : never;
type ValueOf<T extends StapType> = T extends 'long' ? bigint : string;
type ArgsOf<P extends readonly ParamSpec[]> = { -readonly [K in keyof P]: ValueOf<TypeOfSpec<P[K]>> };
type ResultOf<R extends RetType> = R extends StapType ? ValueOf<R> : void;

const PARAM_SPEC = /^([A-Za-z_][A-Za-z0-9_]*):(long|string)$/;

/** Splits `'name:type'` specs into names and types; a malformed one is a bug in the definition. */
function parseParams(fn: string, specs: readonly ParamSpec[]): { names: string[]; types: StapType[] } {
  const names: string[] = [];
  const types: StapType[] = [];
  for (const spec of specs) {
    const m = PARAM_SPEC.exec(spec);
    if (m === null) throw new Error(`intrinsic ${fn}: bad parameter declaration '${spec}'`);
    if (names.includes(m[1]!)) throw new Error(`intrinsic ${fn}: parameter '${m[1]}' declared twice`);
    names.push(m[1]!);
    types.push(m[2] as StapType);
  }
  return { names, types };
}

/**
 * Declares one overload with statically typed arguments, its parameters spelled as the tapset
 * declares them (`intrinsic('strlen', ['s:string'], 'long', ...)` for
 * `function strlen:long (s:string)`), and `ret` as `stap -p2` prints it ('unknown' for a function
 * the tapset leaves unannotated and that returns nothing). The wrapper checks the argument types
 * (an interpreter bug otherwise) and normalizes the result as stap's return slot would: a long
 * wraps to int64, a string is cut to MAXSTRINGLEN-1 bytes (STAP_RETVALUE is a MAXSTRINGLEN buffer).
 */
export function intrinsic<const P extends readonly ParamSpec[], const R extends RetType>(
  name: string,
  paramSpecs: P,
  ret: R,
  fn: (ctx: IntrinsicContext, ...args: ArgsOf<P>) => ResultOf<R>,
): Intrinsic {
  const { names, types: params } = parseParams(name, paramSpecs);
  Object.freeze(names);
  Object.freeze(params);
  return {
    name,
    params,
    paramNames: names,
    ret,
    impl(ctx: IntrinsicContext, args: readonly Value[]): Value | undefined {
      if (args.length !== params.length) {
        throw new TypeError(`${name}: expected ${params.length} arguments, got ${args.length}`);
      }
      params.forEach((p, i) => {
        const want = p === 'long' ? 'bigint' : 'string';
        if (typeof args[i] !== want) throw new TypeError(`${name}: argument ${i + 1} must be ${p}`);
      });
      const r: unknown = (fn as (ctx: IntrinsicContext, ...a: Value[]) => unknown)(ctx, ...args);
      if (ret === 'unknown') return undefined;
      if (ret === 'long') {
        if (typeof r !== 'bigint') throw new TypeError(`${name}: returned a non-long`);
        return BigInt.asIntN(64, r);
      }
      if (typeof r !== 'string') throw new TypeError(`${name}: returned a non-string`);
      return clampString(ctx, r);
    },
  };
}

/** The longest string a MAXSTRINGLEN buffer holds. */
export function maxLen(ctx: IntrinsicContext): number {
  return ctx.maxStringLen - 1;
}

/** strlcpy into a MAXSTRINGLEN buffer. */
export function clampString(ctx: IntrinsicContext, s: string): string {
  const max = maxLen(ctx);
  return s.length > max ? s.slice(0, max) : s;
}

export function int64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

export function uint64(v: bigint): bigint {
  return BigInt.asUintN(64, v);
}

/** C's (long) truth value. */
export function bool(v: boolean): bigint {
  return v ? 1n : 0n;
}

/** strlcat into a MAXSTRINGLEN buffer: appends whatever still fits. */
export function strlcat(ctx: IntrinsicContext, dst: string, src: string): string {
  const room = maxLen(ctx) - dst.length;
  return room <= 0 ? dst : dst + src.slice(0, room);
}
