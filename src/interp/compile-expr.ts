// Compiles elaborated expressions into JavaScript closures over a frame of locals: the
// interpreter's fast path (no tree walking at run time). Semantics follow stap's translator:
// int64 wraparound, "division by 0", MAXSTRINGLEN truncation, short-circuit logic.

import { arrayOverflowMessage } from '../elaborate/runtime-messages.js';
import type * as A from '../parse/ast.js';
import type { Func, Program, Var } from '../elaborate/model.js';
import type { Token } from '../parse/token.js';
import { ArrayFullError, compareValues, type ArrayStore } from './arrays.js';
import { StapArray } from './stap-array.js';
import type { StatData } from '../format/stats.js';
import type { Cell, Context } from './context.js';
import { int64, StapError, type Value } from './values.js';
import { unescapeLiteral } from '../format/escapes.js';
import { binaryConst, compareConst } from './const-operands.js';
import type { Natives } from './natives.js';

export type Frame = Value[];
export type Fn = (f: Frame) => Value;
export type Keys = (f: Frame) => Value[];

const T = 1n;
const F = 0n;

/**
 * A foreach being compiled: inside it, `arr[k1, k2]` with its own keys is its current entry:
 * `entry` for an ArrayStore's entries, or slot `slot` of `vals` when the loop walks the
 * columns of a StapArray (`columns`).
 */
export interface ForeachScope {
  array: Var;
  indexVars: Var[];
  columns: boolean;
  current: { entry: { value: Value } | null; vals: unknown[]; nums: Float64Array | null; slot: number };
}

export class ExprCompiler {
  protected readonly compiledFuncs = new Map<Func, { run: (args: Value[]) => Value; size: number }>();
  protected readonly foreachScopes: ForeachScope[] = [];

  constructor(
    protected readonly program: Program,
    protected readonly ctx: Context,
    protected readonly natives: Natives,
  ) {}

  protected varOf(e: A.SymbolExpr): Var {
    const v = this.program.bindings.vars.get(e);
    if (!v) throw new Error(`internal error: unbound symbol ${e.name}`);
    return v;
  }

  /** The storage of a global, created on first use. */
  protected cell(v: Var): Cell {
    let c = this.ctx.globals.get(v);
    if (c) return c;
    c = this.ctx.external(v) ?? undefined;
    if (c) {
      this.ctx.globals.set(v, c);
      return c;
    }
    const max = v.maxSize > 0 ? v.maxSize : this.ctx.limits.maxMapEntries;
    if (v.arity > 0) c = new StapArray<Value | StatData>(max, v.wrap, v.arity, v.type === 'long') as Cell;
    else if (v.type === 'stats') c = { v: this.natives.newStat(v) };
    else c = { v: this.initialValue(v) };
    this.ctx.globals.set(v, c);
    return c;
  }

  private initialValue(v: Var): Value {
    return v.init ? (v.init.kind === 'literal_number' ? v.init.value : this.ctx.clip(unescapeLiteral(v.init.value))) : zero(v);
  }

  /**
   * Globals kept in kernel maps start zeroed there: their initializers are written before any
   * handler runs (also for globals no interpreted handler touches).
   */
  initExternalGlobals(): void {
    for (const v of this.program.globals) {
      if (!v.init || v.arity > 0) continue;
      const c = this.ctx.external(v);
      if (c) (c as { v: Value }).v = this.initialValue(v);
    }
  }

  protected keys(indexes: (A.Expr | null)[]): Keys {
    const fs = indexes.map((i) => (i ? this.expr(i) : () => F));
    if (fs.length === 1) {
      const k0 = fs[0]!;
      return (f) => [k0(f)];
    }
    if (fs.length === 2) {
      const [k0, k1] = fs as [Fn, Fn];
      return (f) => [k0(f), k1(f)];
    }
    return (f) => fs.map((k) => k(f));
  }

  expr(e: A.Expr): Fn {
    switch (e.kind) {
      case 'literal_number': {
        const v = e.value;
        return () => v;
      }
      case 'literal_string': {
        const v = this.ctx.clip(unescapeLiteral(e.value));
        return () => v;
      }
      case 'symbol': return this.readVar(e);
      case 'arrayindex': return this.readElement(e);
      case 'assignment': return this.assignment(e);
      case 'binary': return this.binary(e);
      case 'logical': {
        const l = this.expr(e.left);
        const r = this.expr(e.right);
        return e.op === '&&' ? (f) => (l(f) !== F && r(f) !== F ? T : F) : (f) => (l(f) !== F || r(f) !== F ? T : F);
      }
      case 'comparison': return this.comparison(e);
      case 'concat': {
        const l = this.expr(e.left);
        const r = this.expr(e.right);
        const ctx = this.ctx;
        return (f) => ctx.clip((l(f) as string) + (r(f) as string));
      }
      case 'regex_query': return this.natives.regex(e, this.expr(e.left));
      case 'unary': {
        const o = this.expr(e.operand);
        switch (e.op) {
          case '-': return (f) => int64(-(o(f) as bigint));
          case '!': return (f) => (o(f) === F ? T : F);
          case '~': return (f) => ~(o(f) as bigint);
          default: return o;
        }
      }
      case 'pre_crement':
      case 'post_crement': return this.crement(e);
      case 'ternary': {
        const c = this.expr(e.cond);
        const t = this.expr(e.truevalue);
        const x = this.expr(e.falsevalue);
        return (f) => (c(f) !== F ? t(f) : x(f));
      }
      case 'array_in': return this.arrayIn(e);
      case 'functioncall': return this.call(e);
      case 'print_format': return this.natives.printFormat(e, e.args.map((a) => this.expr(a)), e.hist ? this.aggregateOf(e.hist.stat) : null);
      case 'stat_op': return this.natives.statOp(e, this.aggregateOf(e.stat));
      case 'hist_op': throw new StapError('histogram used as a value', e.tok);
      case 'defined_op': return () => F;
      case 'embedded_expr':
      case 'entry_op': case 'perf_op': case 'probewrite_op': case 'target_register': case 'target_deref':
      case 'target_symbol': case 'cast_op': case 'atvar_op': case 'autocast_op': {
        const tok = e.tok;
        return () => {
          throw new StapError('not available in a user-space handler', tok);
        };
      }
    }
  }

  private readVar(e: A.SymbolExpr): Fn {
    const v = this.varOf(e);
    if (v.scope !== 'global') {
      const s = v.slot;
      return (f) => f[s]!;
    }
    const c = this.cell(v) as { v: Value };
    return () => c.v;
  }

  private readElement(e: A.ArrayIndex): Fn {
    if (e.base.kind === 'hist_op') return this.natives.histBucket(e.base, this.aggregateOf(e.base.stat), this.expr(e.indexes[0]!));
    const v = this.varOf(e.base);
    const arr = this.cell(v) as ArrayStore<Value>;
    const z = zero(v);
    // `foreach ([k] in a) ... a[k]`: the loop already holds that entry (and stap forbids
    // modifying `a` inside the loop, so it cannot go stale).
    const scope = this.foreachScopes.find((fs) => fs.array === v && fs.indexVars.length === e.indexes.length &&
      e.indexes.every((ix, i) => ix?.kind === 'symbol' && this.program.bindings.vars.get(ix) === fs.indexVars[i]));
    if (scope) {
      const cur = scope.current;
      if (scope.columns) {
        return () => {
          const n = cur.nums;
          return n !== null ? BigInt(n[cur.slot]!) : (cur.vals[cur.slot] as Value);
        };
      }
      return () => cur.entry!.value;
    }
    if (e.indexes.length === 1 && e.indexes[0]) {
      const k = this.expr(e.indexes[0]);
      if (arr instanceof StapArray) return (f) => arr.value1(k(f)) ?? z;
      return (f) => arr.get1(k(f))?.value ?? z;
    }
    const keys = this.keys(e.indexes);
    if (arr instanceof StapArray) return (f) => arr.valueOf(keys(f)) ?? z;
    return (f) => arr.get(keys(f))?.value ?? z;
  }

  /** The aggregate a stat/hist operator reads: a stats global or one element of a stats array. */
  protected aggregateOf(e: A.Expr): (f: Frame) => StatData | null {
    if (e.kind === 'symbol') {
      const c = this.cell(this.varOf(e)) as { v: StatData };
      return () => c.v;
    }
    if (e.kind === 'arrayindex' && e.base.kind === 'symbol') {
      const arr = this.cell(this.varOf(e.base)) as ArrayStore<StatData>;
      const keys = this.keys(e.indexes);
      if (arr instanceof StapArray) return (f) => arr.valueOf(keys(f)) ?? null;
      return (f) => arr.get(keys(f))?.value ?? null;
    }
    throw new StapError('not a statistic', e.tok);
  }

  /**
   * A writable location. `update(f, compute)` locates it (evaluating array keys once), calls
   * `compute(old)` and stores the result, which it returns.
   */
  protected lvalue(e: A.Expr): (f: Frame, compute: (old: Value) => Value) => Value {
    if (e.kind === 'symbol') {
      const v = this.varOf(e);
      if (v.scope !== 'global') {
        const s = v.slot;
        return (f, compute) => (f[s] = compute(f[s]!));
      }
      const c = this.cell(v) as { v: Value };
      return (_f, compute) => (c.v = compute(c.v));
    }
    if (e.kind === 'arrayindex' && e.base.kind === 'symbol') {
      const v = this.varOf(e.base);
      const arr = this.cell(v) as ArrayStore<Value>;
      const keys = this.keys(e.indexes);
      const z = zero(v);
      const tok = e.base.tok;
      if (arr instanceof StapArray) {
        return (f, compute) => {
          const k = keys(f);
          const x = compute(arr.valueOf(k) ?? z);
          if (!arr.put(k, x)) throw new StapError(arrayOverflowMessage(v), tok);
          return x;
        };
      }
      return (f, compute) => {
        const k = keys(f);
        const x = compute(arr.get(k)?.value ?? z);
        try {
          const entry = arr.slot(k, () => z);
          entry.value = x;
          arr.store?.(entry);
        } catch (err) {
          if (err instanceof ArrayFullError) throw new StapError(arrayOverflowMessage(v), tok);
          throw err;
        }
        return x;
      };
    }
    const tok = e.tok;
    return () => {
      throw new StapError('Expecting lvalue for assignment', tok);
    };
  }

  private assignment(e: A.AssignmentExpr): Fn {
    const r = this.expr(e.right);
    if (e.op === '<<<') return this.natives.statAdd(e, this.aggregateSlot(e.left), r);
    const ctx = this.ctx;
    const combine: ((old: Value, x: Value) => Value) | null = e.op === '=' ? null
      : e.op === '.=' ? (old, x) => ctx.clip((old as string) + (x as string))
      // A compound assignment's run-time error (x /= 0) points at its right operand, as stap.
      : ((op) => (old: Value, x: Value) => op(old as bigint, x as bigint))(arith(e.op.slice(0, -1), e.right.tok));
    // Scalars get closures without per-execution allocation: this is the interpreter's hot path.
    if (e.left.kind === 'symbol') {
      const v = this.varOf(e.left);
      if (v.scope !== 'global') {
        const s = v.slot;
        if (!combine) return (f) => (f[s] = r(f));
        return (f) => (f[s] = combine(f[s]!, r(f)));
      }
      const c = this.cell(v) as { v: Value };
      if (!combine) return (f) => (c.v = r(f));
      return (f) => (c.v = combine(c.v, r(f)));
    }
    if (e.left.kind === 'arrayindex' && e.left.base.kind === 'symbol' && e.left.indexes.length === 1 && e.left.indexes[0]) {
      // One-key arrays: no key tuple, no per-execution closures.
      const v = this.varOf(e.left.base);
      const arr = this.cell(v) as ArrayStore<Value>;
      const k = this.expr(e.left.indexes[0]);
      const z = zero(v);
      const tok = e.left.base.tok;
      if (!combine) {
        return (f) => {
          const key = k(f);
          const x = r(f);
          if (!arr.set1(key, x)) throw new StapError(arrayOverflowMessage(v), tok);
          return x;
        };
      }
      if (arr instanceof StapArray) {
        return (f) => {
          const key = k(f);
          const s = arr.find1(key);
          const epoch = arr.epoch;
          const x = combine(s < 0 ? z : arr.valueAt(s), r(f));
          if (s < 0) {
            if (!arr.set1(key, x)) throw new StapError(arrayOverflowMessage(v), tok);
          } else if (arr.epoch === epoch) {
            arr.storeAt(s, x);
          } else if (arr.find1(key) >= 0) {
            // r(f) deleted or renumbered entries: the element is updated if it is still there.
            arr.set1(key, x);
          }
          return x;
        };
      }
      return (f) => {
        const key = k(f);
        const entry = arr.get1(key);
        const x = combine(entry ? entry.value : z, r(f));
        if (entry) {
          entry.value = x;
          arr.store?.(entry);
        } else if (!arr.set1(key, x)) throw new StapError(arrayOverflowMessage(v), tok);
        return x;
      };
    }
    const update = this.lvalue(e.left);
    if (!combine) return (f) => update(f, () => r(f));
    return (f) => update(f, (old) => combine(old, r(f)));
  }

  /** The aggregate `<<<` adds to, created on first use (array elements too). */
  protected aggregateSlot(e: A.Expr): (f: Frame) => StatData {
    if (e.kind === 'symbol') {
      const c = this.cell(this.varOf(e)) as { v: StatData };
      return () => c.v;
    }
    if (e.kind === 'arrayindex' && e.base.kind === 'symbol') {
      const v = this.varOf(e.base);
      const arr = this.cell(v) as ArrayStore<StatData>;
      const keys = this.keys(e.indexes);
      const tok = e.base.tok;
      const init = () => this.natives.newStat(v);
      return (f) => {
        try {
          return arr instanceof StapArray ? arr.valueOrCreate(keys(f), init) : arr.slot(keys(f), init).value;
        } catch (err) {
          if (err instanceof ArrayFullError) throw new StapError(arrayOverflowMessage(v), tok);
          throw err;
        }
      };
    }
    throw new StapError('Expecting lvalue for assignment', e.tok);
  }

  /** The frame slot of a local variable operand, -1 for anything else. */
  private localSlot(e: A.Expr): number {
    if (e.kind !== 'symbol') return -1;
    const v = this.varOf(e);
    return v.scope === 'global' ? -1 : v.slot;
  }

  private binary(e: A.BinaryExpr): Fn {
    const l = this.expr(e.left);
    if (e.right.kind === 'literal_number') {
      const fast = binaryConst(e.op, l, e.right.value, this.localSlot(e.left));
      if (fast) return fast;
    }
    const r = this.expr(e.right);
    const op = arith(e.op, e.tok);
    switch (e.op) {
      case '+': return (f) => BigInt.asIntN(64, (l(f) as bigint) + (r(f) as bigint));
      case '-': return (f) => BigInt.asIntN(64, (l(f) as bigint) - (r(f) as bigint));
      case '*': return (f) => BigInt.asIntN(64, (l(f) as bigint) * (r(f) as bigint));
      default: return (f) => op(l(f) as bigint, r(f) as bigint);
    }
  }

  private comparison(e: A.ComparisonExpr): Fn {
    const l = this.expr(e.left);
    const long = this.program.bindings.types.get(e.left) === 'long';
    if (long && e.right.kind === 'literal_number') return compareConst(e.op, l, e.right.value, this.localSlot(e.left));
    const r = this.expr(e.right);
    if (long) {
      // Longs compare with the native operators; strings need bytewise comparison.
      switch (e.op) {
        case '==': return (f) => (l(f) === r(f) ? T : F);
        case '!=': return (f) => (l(f) !== r(f) ? T : F);
        case '<': return (f) => ((l(f) as bigint) < (r(f) as bigint) ? T : F);
        case '<=': return (f) => ((l(f) as bigint) <= (r(f) as bigint) ? T : F);
        case '>': return (f) => ((l(f) as bigint) > (r(f) as bigint) ? T : F);
        default: return (f) => ((l(f) as bigint) >= (r(f) as bigint) ? T : F);
      }
    }
    switch (e.op) {
      case '==': return (f) => (l(f) === r(f) ? T : F);
      case '!=': return (f) => (l(f) !== r(f) ? T : F);
      case '<': return (f) => (compareValues(l(f), r(f)) < 0 ? T : F);
      case '<=': return (f) => (compareValues(l(f), r(f)) <= 0 ? T : F);
      case '>': return (f) => (compareValues(l(f), r(f)) > 0 ? T : F);
      default: return (f) => (compareValues(l(f), r(f)) >= 0 ? T : F);
    }
  }

  private crement(e: A.PreCrement | A.PostCrement): Fn {
    const d = e.op === '++' ? 1n : -1n;
    const pre = e.kind === 'pre_crement';
    if (e.operand.kind === 'symbol') {
      const v = this.varOf(e.operand);
      if (v.scope !== 'global') {
        const s = v.slot;
        if (pre) return (f) => (f[s] = int64((f[s] as bigint) + d));
        return (f) => {
          const old = f[s] as bigint;
          f[s] = int64(old + d);
          return old;
        };
      }
      const c = this.cell(v) as { v: Value };
      if (pre) return () => (c.v = int64((c.v as bigint) + d));
      return () => {
        const old = c.v as bigint;
        c.v = int64(old + d);
        return old;
      };
    }
    const update = this.lvalue(e.operand);
    if (pre) return (f) => update(f, (old) => int64((old as bigint) + d));
    return (f) => {
      let before: Value = F;
      update(f, (old) => {
        before = old;
        return int64((old as bigint) + d);
      });
      return before;
    };
  }

  private arrayIn(e: A.ArrayIn): Fn {
    const a = e.operand;
    if (a.base.kind === 'hist_op') return this.natives.histIn(a.base, this.aggregateOf(a.base.stat), this.expr(a.indexes[0]!));
    const arr = this.cell(this.varOf(a.base)) as ArrayStore<Value>;
    if (a.indexes.every((i) => i !== null)) {
      const keys = this.keys(a.indexes);
      return (f) => (arr.has(keys(f)) ? T : F);
    }
    const parts = a.indexes.map((i) => (i ? this.expr(i) : null));
    return (f) => {
      const want = parts.map((p) => (p ? p(f) : null));
      for (const entry of arr.entries()) {
        if (want.every((w, i) => w === null || w === entry.keys[i])) return T;
      }
      return F;
    };
  }

  private call(e: A.FunctionCall): Fn {
    const fn = this.program.bindings.calls.get(e)!;
    const args = e.args.map((a) => this.expr(a));
    if (fn.intrinsic) return this.natives.intrinsic(e, fn, args);
    const ctx = this.ctx;
    const tok = e.tok;
    const chain = fn.overloads.map((o) => ({ compiled: this.compiledFunction(o), tok: o.tok }));
    const n = args.length;
    const exhausted = NEXT_IN_FUNCTION;
    return (f) => {
      const vals: Value[] = new Array(n);
      for (let i = 0; i < n; i++) vals[i] = args[i]!(f);
      for (const o of chain) {
        // stap: `if (c->nesting+1 >= MAXNESTING)` with nesting -1 in the probe body.
        if (ctx.depth >= ctx.limits.maxNesting) throw new StapError('MAXNESTING exceeded', o.tok);
        const frame: Frame = new Array(o.compiled.size);
        for (let i = 0; i < n; i++) frame[i] = vals[i]!;
        ctx.depth++;
        try {
          return o.compiled.run(frame);
        } catch (err) {
          // `next` in a function hands the call to the next overload.
          if (err !== exhausted.signal) throw err;
        } finally {
          ctx.depth--;
        }
      }
      throw new StapError('all functions exhausted', tok);
    };
  }

  /** Compiled lazily so recursion works; filled in by the statement compiler. */
  protected compiledFunction(fn: Func): { run: (frame: Value[]) => Value; size: number } {
    let c = this.compiledFuncs.get(fn);
    if (!c) {
      c = { run: () => F, size: fn.params.length + fn.locals.length };
      this.compiledFuncs.set(fn, c);
      this.compileFunctionBody(fn, c);
    }
    return c;
  }

  protected compileFunctionBody(_fn: Func, _into: { run: (frame: Value[]) => Value; size: number }): void {
    throw new Error('abstract');
  }
}

/** The exception `next` raises; shared by probes (end the handler) and functions (next overload). */
export const NEXT_IN_FUNCTION = { signal: { next: true } as const };

export function zero(v: Var): Value {
  return v.type === 'string' ? '' : F;
}

export { arrayOverflowMessage };

/** Integer operators with stap's semantics: division by 0 is an error, shifts mask to 0..63. */
export function arith(op: string, tok: Token): (a: bigint, b: bigint) => bigint {
  switch (op) {
    case '+': return (a, b) => BigInt.asIntN(64, a + b);
    case '-': return (a, b) => BigInt.asIntN(64, a - b);
    case '*': return (a, b) => BigInt.asIntN(64, a * b);
    case '/': return (a, b) => {
      if (b === 0n) throw new StapError('division by 0', tok);
      return BigInt.asIntN(64, a / b);
    };
    case '%': return (a, b) => {
      if (b === 0n) throw new StapError('division by 0', tok);
      return BigInt.asIntN(64, a % b);
    };
    case '<<': return (a, b) => BigInt.asIntN(64, a << (b & 63n));
    case '>>': return (a, b) => a >> (b & 63n);
    case '>>>': return (a, b) => BigInt.asIntN(64, BigInt.asUintN(64, a) >> (b & 63n));
    case '&': return (a, b) => a & b;
    case '|': return (a, b) => a | b;
    case '^': return (a, b) => a ^ b;
  }
  throw new Error(`internal error: operator ${op}`);
}
