// The elaborated program (pass 2's result, the form both back ends consume): probes resolved
// to probe families with alias bodies merged in, every symbol and call bound to its
// declaration, and every variable, array and function typed.

import type * as A from '../parse/ast.js';
import type { Token } from '../parse/token.js';

export type VarType = 'unknown' | 'long' | 'string' | 'stats';

/** A global, a local, or a function parameter. */
export interface Var {
  name: string;
  scope: 'global' | 'local' | 'param';
  tok: Token;
  type: VarType;
  /** -1 unknown, 0 scalar, N: an array with N index columns. */
  arity: number;
  /** Where the arity was first inferred (for "inconsistent arity" messages). */
  arityTok: Token | null;
  indexTypes: VarType[];
  /** Declared maximum entries (global a[100]); 0 for the default. */
  maxSize: number;
  wrap: boolean;
  init: A.Literal | null;
  /** Slot in the frame of its probe or function (locals and params). */
  slot: number;
  /** Whether the script ever reads / writes it (for elision and end-of-run printing). */
  read: boolean;
  written: boolean;
  /** Histogram or statistic operators applied to it, for aggregate layout. */
  statOps: Set<string>;
  /** Bit shift of @variance(x, N), if given. */
  varianceShift: number | null;
  /** Declared in a library (tapset) file. */
  library: boolean;
}

/** A function the program calls: a script/tapset function, or a built-in intrinsic. */
export interface Func {
  name: string;
  tok: Token;
  decl: A.FunctionDecl | null;
  type: VarType;
  params: Var[];
  locals: Var[];
  /** Built-in implemented natively by each back end (no script body). */
  intrinsic: boolean;
  library: boolean;
  /**
   * Definitions with this name and arity in priority order, this one first: `next` inside a
   * function passes the call on to the following one (stap's function overloading).
   */
  overloads: Func[];
}

/**
 * Whether `f` is a built-in's script body for kernel handlers (tapset `__bpf_*`, bound by
 * kernel-lowering.ts): like stap's native built-ins it charges no MAXACTION.
 */
export function isBuiltinBody(f: Func): boolean {
  return f.library && f.name.startsWith('__bpf_');
}

/** A probe family instance: what to attach to, from the probe point after alias expansion. */
export interface ProbeSite {
  family: string;
  /** The probe point as stap prints it (e.g. `timer.ms(100)`). */
  point: string;
  /** Numeric parameters of the family (timer period, begin/end sequence, randomize). */
  params: Record<string, bigint | string>;
}

export interface DerivedProbe {
  /** Index in program order; also the probe's id. */
  index: number;
  site: ProbeSite;
  /** The user's probe point that led here (for pp() and messages). */
  userPoint: string;
  /** How `-l` lists it: the outermost alias it came through, else the concrete point. */
  listedAs?: string;
  tok: Token;
  body: A.Block;
  locals: Var[];
  condition: A.Expr | null;
}

/** Side tables: the declaration each reference resolved to. */
export interface Bindings {
  vars: Map<A.SymbolExpr, Var>;
  calls: Map<A.FunctionCall, Func>;
  /** Types of expressions, filled by type inference. */
  types: Map<A.Expr, VarType>;
}

export interface Program {
  globals: Var[];
  functions: Func[];
  probes: DerivedProbe[];
  bindings: Bindings;
  embeds: A.EmbeddedCode[];
  /**
   * Resolves library function `name` after elaboration, as a call from a script would (kernel
   * lowering uses it for the eBPF bodies of built-ins, bpf/codegen/kernel-bodies); null when the
   * library has none. Added functions and globals join the program.
   */
  libraryFunction?: (name: string, arity: number, tok: Token) => Func | null;
}
