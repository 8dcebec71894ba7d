// What the parts of the kernel code generator share: offsets in the globals map, the state of
// a foreach, and helpers over the AST and BTF types.

import { histOpOf } from '../../elaborate/hist-op.js';
import { SemanticError } from '../../diag/errors.js';
import type * as A from '../../parse/ast.js';
import type { Token } from '../../parse/token.js';
import type { Func, Program as Elaborated, Var } from '../../elaborate/model.js';
import { forEachChild, type Node } from '../../parse/walk.js';
import { memberOf, resolved } from '../../runtime/meta/btf-layout.js';
import { type GlobalLoc } from './layout.js';
import type { Btf } from '../../runtime/meta/btf.js';

/** Globals-map offset of the counter of records the ring buffer could not take. */
export const DROPPED_OFFSET = 0;
/** Globals-map offset of target() (-x PID or the -c command's pid), set before attaching. */
export const TARGET_OFFSET = 8;
/**
 * Globals-map offset of the session state: 0 running; 1 stopping (exit()), 2 error. As in
 * stap, handlers do nothing once the session stops: the first kernel-side error or exit() sets
 * it at once, user space sets it when the session ends.
 */
export const STATE_OFFSET = 16;
/** Globals-map offset of realtime minus monotonic time in ns, set by user space at start. */
export const REALTIME_OFFSET = 24;
export const ZERO_KEY = -8; // fp-8 holds a u32 0: the key of one-entry array maps
export const EXIT = '__exit';

export const unsupported = (what: string, tok: Token) =>
  new SemanticError('kernel:unsupported', `not supported in kernel context yet: ${what}`, tok);

export type Val = 'long' | 'string';

/** What the parts of one foreach's code share: the array, the order, scratch offsets. */
export interface ForeachState {
  loc: Extract<GlobalLoc, { kind: 'array' }>;
  s: A.ForeachLoop;
  isStats: boolean;
  sortStr: boolean;
  /** Bytes of the sort value: 0 unsorted, 8 a long, a string slot. */
  sortSize: number;
  /** Whether the loop renumbers the array in its order (stap sorts in place). */
  reorder: boolean;
  keyOffsets: number[];
  keyCand: number; keyBest: number; valBest: number;
  sortCand: number; sortBest: number; sortPrev: number;
  seqCand: number; seqBest: number; seqPrev: number;
  haveBest: number; havePrev: number; floor: number; limit: number;
  stats: number;
  slice: number[];
}

/** The scratch offsets one foreach's selection passes use (`foreachScratch`). */
export type ForeachScratch = Omit<ForeachState, 'loc' | 's' | 'isStats' | 'sortStr' | 'sortSize' | 'reorder' | 'keyOffsets'>;

/** The histogram a statistic carries (from the @hist ops applied to it anywhere). */
export function histSpecOf(prog: Elaborated, v: Var): { kind: 'none' } | { kind: 'log' } | { kind: 'linear'; start: number; stop: number; interval: number } {
  const h = histOpOf(prog, v);
  if (!h) return { kind: 'none' };
  if (h.htype === 'log') return { kind: 'log' };
  return { kind: 'linear', start: Number(h.params[0]), stop: Number(h.params[1]), interval: Number(h.params[2]) };
}

/** Whether `s` always leaves by a jump (then nothing may follow it directly). */
export function endsInJump(s: A.Stmt): boolean {
  if (s.kind === 'next_statement' || s.kind === 'break_statement' || s.kind === 'continue_statement' || s.kind === 'return_statement') return true;
  if (s.kind === 'block') return s.statements.length > 0 && endsInJump(s.statements[s.statements.length - 1]!);
  return false;
}

/**
 * Whether a for/while loop of a handler's own code runs as a bpf_loop (statements.ts
 * forLoopInCallback) rather than written out in place: when its condition, body or increment
 * calls a function or sprintf, or holds another loop. The verifier walks an in-place loop
 * iteration by iteration, up to MAXACTION of them, which such bodies make too long (a string
 * read or copy is hundreds of instructions); a callback it checks once, while every iteration
 * costs a helper call. Plain arithmetic and array loops stay in place: cheapest per hit.
 */
export function loopRunsAsCallback(loop: A.ForLoop, prog: Elaborated): boolean {
  const heavy = (n: Node) => n.kind === 'functioncall' || n.kind === 'print_format' || n.kind === 'for_loop' || n.kind === 'foreach_loop';
  return [loop.cond, loop.body, loop.incr].some((part) => part !== null && contains(part as A.Stmt, prog, heavy));
}

/** Whether the body, or a function it calls, has a node `match` accepts. */
export function contains(body: A.Stmt, prog: Elaborated, match: (n: Node) => boolean): boolean {
  const seen = new Set<Func>();
  const visit = (n: Node): boolean => {
    if (match(n)) return true;
    if (n.kind === 'functioncall') {
      const f = prog.bindings.calls.get(n);
      if (f?.decl && !seen.has(f)) {
        seen.add(f);
        if (visit(f.decl.body)) return true;
      }
    }
    let found = false;
    forEachChild(n, (c) => {
      if (!found && visit(c)) found = true;
    });
    return found;
  };
  return visit(body);
}

export function firstTok(s: A.Stmt): Token | null {
  if (s.kind !== 'block') return s.tok;
  for (const x of s.statements) {
    const t = firstTok(x);
    if (t) return t;
  }
  return null;
}

export function describeExpr(e: A.Expr): string {
  switch (e.kind) {
    case 'concat': return 'string concatenation';
    case 'regex_query': return 'regular expressions';
    case 'stat_op': return `@${e.ctype}`;
    case 'cast_op': return '@cast';
    case 'atvar_op': return '@var';
    case 'entry_op': return '@entry';
    default: return e.kind.replace(/_/g, ' ');
  }
}

export function describeStmt(s: A.Stmt): string {
  switch (s.kind) {
    case 'for_loop': return 'loops';
    case 'foreach_loop': return 'foreach';
    case 'try_block': return 'try/catch';
    case 'return_statement': return 'return';
    default: return s.kind.replace(/_/g, ' ');
  }
}

/** The BTF id of a C type name as @cast spells it: `task_struct`, `struct sock`, `union x`, a typedef. */
export function castType(btf: Btf, name: string): number | undefined {
  const m = /^\s*(struct|union)?\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(name);
  if (!m) return undefined;
  if (m[1] === 'union') return btf.find('union', m[2]!);
  return btf.find('struct', m[2]!) ?? (m[1] ? undefined : btf.find('union', m[2]!) ?? btf.find('typedef', m[2]!));
}

/** The BTF type at the end of `->member` and `[i]` components from type `type`; undefined if some do not resolve. */
export function chainTypeOf(btf: Btf, type: number, components: A.TargetComponent[]): number | undefined {
  for (const c of components) {
    const cur = resolved(btf, type);
    if (c.type === 'pretty') return undefined;
    if (c.type !== 'member') {
      if (cur.kind !== 'array' && cur.kind !== 'ptr') return undefined;
      type = cur.type;
      continue;
    }
    const base = memberBase(cur, type);
    const m = base === null ? undefined : memberOf(btf, base, c.member);
    if (!m) return undefined;
    type = m.type;
  }
  return type;
}

/**
 * The pt_regs offset of argument `i` of a kernel function at a kprobe (-1: the return value
 * at a kretprobe), by the calling convention of the machine tstap runs on.
 */
export function registerOffset(i: number, tok: Token): number {
  if (process.arch === 'arm64') {
    // struct user_pt_regs: regs[31] (x0..x30) first.
    if (i < 0) return 0;
    if (i < 8) return 8 * i;
  } else {
    // x86_64 struct pt_regs: r15 r14 r13 r12 bp bx r11 r10 r9 r8 ax cx dx si di ...
    if (i < 0) return 80;
    const order = [112, 104, 96, 88, 72, 64]; // di si dx cx r8 r9
    if (i < order.length) return order[i]!;
  }
  throw unsupported(`kernel function argument ${i + 1} at a kprobe (passed on the stack)`, tok);
}

/**
 * What `->member` looks in from a value of type `type` (resolved: `cur`): the pointee of a
 * pointer, the struct or union itself (embedded, or @cast), else nothing.
 */
export function memberBase(cur: ReturnType<typeof resolved>, type: number): number | null {
  return cur.kind === 'ptr' ? cur.type : cur.kind === 'struct' || cur.kind === 'union' ? type : null;
}
