// Compiles statements, functions and probe handlers to closures. Statements return a
// completion code (normal, break, continue, return); `next` and errors are exceptions.

import { straightLineCount } from '../elaborate/straight-line.js';
import type * as A from '../parse/ast.js';
import type { DerivedProbe, Func, Var } from '../elaborate/model.js';
import type { ArrayStore, Entry } from './arrays.js';
import { StapArray } from './stap-array.js';
import { sortAllByValue, sortOrder, sortSlotsByValue } from './sort.js';
import type { StatData } from '../format/stats.js';
import { ExprCompiler, NEXT_IN_FUNCTION, zero, type ForeachScope, type Frame } from './compile-expr.js';
import { StapError, type Value } from './values.js';

export const NORMAL = 0;
export const BREAK = 1;
export const CONTINUE = 2;
export const RETURN = 3;
type Code = 0 | 1 | 2 | 3;
export type Stmt = (f: Frame) => Code;

const RET_SLOT = -1;

export class Compiler extends ExprCompiler {
  /** The function being compiled (return statements store into its frame's last slot). */
  private retSlot = RET_SLOT;

  /**
   * A handler: runs the body with fresh zeroed locals; `next` ends it early. A loop-free
   * handler with more statements than its action budget fails before running (stap checks
   * such handlers once, up front).
   */
  probe(p: DerivedProbe, budget: number): () => void {
    const body = this.stmt(p.body);
    const size = p.locals.length;
    const init = p.locals.map(zero);
    const count = straightLineCount(this.program, p.body);
    if (count !== null && count > budget) {
      return () => {
        throw new StapError('MAXACTION exceeded', null, 'maxaction');
      };
    }
    return () => {
      const frame: Frame = init.slice(0, size);
      body(frame);
    };
  }

  protected override compileFunctionBody(fn: Func, into: { run: (frame: Value[]) => Value; size: number }): void {
    const decl = fn.decl!;
    if (decl.body.kind !== 'block') {
      const tok = decl.tok;
      into.run = () => {
        throw new StapError('embedded C functions cannot run in tstap', tok);
      };
      return;
    }
    const nparams = fn.params.length;
    const localInit = fn.locals.map(zero);
    const retSlot = nparams + fn.locals.length;
    into.size = retSlot + 1;
    const ret = zero({ type: fn.type } as never);
    const saved = this.retSlot;
    this.retSlot = retSlot;
    const body = this.stmt(decl.body);
    this.retSlot = saved;
    into.run = (frame) => {
      for (let i = 0; i < localInit.length; i++) frame[nparams + i] = localInit[i]!;
      frame[retSlot] = ret;
      body(frame);
      return frame[retSlot]!;
    };
  }

  stmt(s: A.Stmt): Stmt {
    const ctx = this.ctx;
    const tok = s.tok;
    switch (s.kind) {
      case 'block': {
        const parts = s.statements.map((x) => this.stmt(x));
        const n = parts.length;
        return (f) => {
          for (let i = 0; i < n; i++) {
            const c = parts[i]!(f);
            if (c !== NORMAL) return c;
          }
          return NORMAL;
        };
      }
      case 'null_statement': return () => NORMAL;
      case 'expr_statement': {
        const e = this.expr(s.value);
        return (f) => {
          if (++ctx.actions > ctx.actionLimit) ctx.tick(0, tok); // ctx.tick(1) without a call
          e(f);
          return NORMAL;
        };
      }
      case 'if_statement': {
        const c = this.expr(s.cond);
        const t = this.stmt(s.thenStmt);
        const e = s.elseStmt ? this.stmt(s.elseStmt) : null;
        return (f) => {
          if (++ctx.actions > ctx.actionLimit) ctx.tick(0, tok); // ctx.tick(1) without a call
          if (c(f) !== 0n) return t(f);
          return e ? e(f) : NORMAL;
        };
      }
      case 'for_loop': {
        const init = s.init ? this.expr(s.init.value) : null;
        const cond = this.expr(s.cond);
        const incr = s.incr ? this.expr(s.incr.value) : null;
        // `i++` of a local, the usual increment, done in place (no call while still cold).
        const iv = s.incr?.value;
        const incrSlot = iv && (iv.kind === 'post_crement' || iv.kind === 'pre_crement') && iv.operand.kind === 'symbol' &&
          this.varOf(iv.operand).scope !== 'global' ? this.varOf(iv.operand).slot : -1;
        const step = incrSlot >= 0 && (iv as A.PreCrement | A.PostCrement).op === '--' ? -1n : 1n;
        const body = this.stmt(s.body);
        // stap charges one action before the loop and one per iteration, reported at the
        // body's first statement (translate.cxx visit_for_loop / record_actions).
        const iterTok = firstStatementTok(s.body) ?? tok;
        const before = s.init ? 2 : 1; // the init expression is a statement of its own
        return (f) => {
          ctx.tick(before, tok);
          if (init) init(f);
          for (;;) {
            if (cond(f) === 0n) break;
            const c = body(f);
            if (c === BREAK) break;
            if (c === RETURN) return c;
            if (incrSlot >= 0) f[incrSlot] = BigInt.asIntN(64, (f[incrSlot] as bigint) + step);
            else if (incr) incr(f);
            if (++ctx.actions > ctx.actionLimit) ctx.tick(0, iterTok); // ctx.tick(1) without a call
          }
          return NORMAL;
        };
      }
      case 'foreach_loop': return this.foreach(s);
      case 'return_statement': {
        const v = s.value ? this.expr(s.value) : null;
        const slot = this.retSlot;
        return (f) => {
          ctx.tick(1, tok);
          if (v) f[slot] = v(f);
          return RETURN;
        };
      }
      case 'break_statement': return () => BREAK;
      case 'continue_statement': return () => CONTINUE;
      case 'next_statement': return () => {
        throw NEXT_EXC;
      };
      case 'delete_statement': return this.delete(s);
      case 'try_block': {
        const body = this.stmt(s.tryBlock);
        const handler = this.stmt(s.catchBlock);
        const catchSlot = s.catchVar ? this.program.bindings.vars.get(s.catchVar)! : null;
        const setMsg = catchSlot ? this.lvalue(s.catchVar!) : null;
        return (f) => {
          try {
            return body(f);
          } catch (err) {
            if (!(err instanceof StapError) || err.kind !== 'error') throw err;
            if (setMsg) setMsg(f, () => ctx.clip(err.message));
            return handler(f);
          }
        };
      }
      case 'embeddedcode': return () => {
        throw new StapError('embedded C cannot run in tstap', tok);
      };
    }
  }

  private delete(s: A.DeleteStatement): Stmt {
    const v = s.value;
    const ctx = this.ctx;
    const tok = s.tok;
    if (v.kind === 'symbol') {
      const decl = this.varOf(v);
      if (decl.scope !== 'global') {
        const slot = decl.slot;
        const z = zero(decl);
        return (f) => {
          ctx.tick(1, tok);
          f[slot] = z;
          return NORMAL;
        };
      }
      const c = this.cell(decl);
      return () => {
        ctx.tick(1, tok);
        if ('isArray' in c) c.clear();
        else if (decl.type === 'stats') c.v = this.natives.newStat(decl);
        else c.v = zero(decl);
        return NORMAL;
      };
    }
    if (v.kind === 'arrayindex' && v.base.kind === 'symbol') {
      const arr = this.cell(this.varOf(v.base)) as ArrayStore<Value>;
      if (v.indexes.every((i) => i !== null)) {
        const keys = this.keys(v.indexes);
        return (f) => {
          ctx.tick(1, tok);
          arr.delete(keys(f));
          return NORMAL;
        };
      }
      const parts = v.indexes.map((i) => (i ? this.expr(i) : null));
      return (f) => {
        ctx.tick(1, tok);
        const want = parts.map((p) => (p ? p(f) : null));
        for (const e of arr.entries()) if (want.every((w, i) => w === null || w === e.keys[i])) arr.delete(e.keys);
        return NORMAL;
      };
    }
    const e = this.expr(v);
    return (f) => {
      e(f);
      return NORMAL;
    };
  }

  private foreach(s: A.ForeachLoop): Stmt {
    const ctx = this.ctx;
    const tok = s.tok;
    const decl = s.base.kind === 'symbol' ? this.varOf(s.base) : null;
    const store = decl ? (this.cell(decl) as ArrayStore<Value | StatData>) : null;
    const current: ForeachScope['current'] = { entry: null, vals: [], nums: null, slot: 0 };
    const indexVars = s.indexes.map((i) => this.varOf(i));
    const scoped = decl !== null && decl.type !== 'stats' && indexVars.every((v) => v.scope !== 'global') &&
      !writesAny(s.body, indexVars, this.program.bindings.vars);
    const columns = store instanceof StapArray;
    if (scoped) this.foreachScopes.push({ array: decl, indexVars, columns, current });
    const body = this.stmt(s.body);
    if (scoped) this.foreachScopes.pop();
    const limit = s.limit ? this.expr(s.limit) : null;
    const idxSlots = s.indexes.map((i) => this.lvalue(i));
    const valueSlot = s.value ? this.lvalue(s.value) : null;
    if (s.base.kind === 'hist_op') return this.natives.foreachHist(s, body, idxSlots, valueSlot, limit, this.aggregateOf(s.base.stat));
    const isStats = decl!.type === 'stats';
    const slice = s.arraySlice.map((x) => (x ? this.expr(x) : null));
    const sortKey = this.sortKey(s, isStats);
    const dir = s.sortDirection as 1 | -1;
    // Index variables are nearly always locals: store into their frame slot directly.
    const idxLocal = indexVars.map((v) => (v.scope === 'global' ? -1 : v.slot));
    const nidx = idxLocal.length;
    if (store instanceof StapArray) {
      const valueVar = s.value ? this.varOf(s.value) : null;
      const valueLocal = valueVar && valueVar.scope !== 'global' ? valueVar.slot : -1;
      return this.foreachColumns(store, current, body, {
        limit, idxSlots, idxLocal, valueSlot, valueLocal, slice, sortKey, sortColumn: s.sortColumn - 1, dir, isStats, tok,
      });
    }
    const arr = store!;
    return (f) => {
      ctx.tick(1, tok);
      let entries: Entry<Value | StatData>[] = arr.entries();
      if (slice.length) {
        const want = slice.map((p) => (p ? p(f) : null));
        entries = entries.filter((e) => want.every((w, i) => w === null || w === e.keys[i]));
      }
      if (sortKey) {
        const order = sortOrder(entries.map((e) => sortKey(e.keys, e.value)), dir);
        entries = Array.from(order, (i) => entries[i]!);
        // stap sorts the array's own list in place: later unsorted loops see this order.
        if (!slice.length && !isStats) arr.reorder(entries);
      }
      let n = limit ? (limit(f) as bigint) : -1n;
      for (const e of entries) {
        if (n >= 0n && n-- === 0n) break;
        current.entry = e as { value: Value };
        for (let i = 0; i < nidx; i++) {
          const slot = idxLocal[i]!;
          if (slot >= 0) f[slot] = e.keys[i]!;
          else idxSlots[i]!(f, () => e.keys[i]!);
        }
        if (valueSlot) valueSlot(f, () => (isStats ? 0n : (e.value as Value)));
        const c = body(f);
        if (c === BREAK) break;
        if (c === RETURN) return c;
        if (++ctx.actions > ctx.actionLimit) ctx.tick(0, tok); // ctx.tick(1) without a call
      }
      return NORMAL;
    };
  }

  /**
   * foreach over a StapArray: walks a list of slot numbers and reads the array's columns (no
   * entry objects), with the same order, limit and ticks as the generic loop above.
   */
  private foreachColumns(arr: StapArray<Value | StatData>, current: ForeachScope['current'], body: Stmt, o: ColumnLoop): Stmt {
    const { limit, idxSlots, idxLocal, valueSlot, valueLocal, slice, sortKey, sortColumn, dir, isStats, tok } = o;
    const ctx = this.ctx;
    const nidx = idxLocal.length;
    const oneLocal = arr.arity === 1 && nidx === 1 && idxLocal[0]! >= 0 ? idxLocal[0]! : -1;
    return (f) => {
      ctx.tick(1, tok);
      // A delete or clear() in the body (through a function) leaves these in place.
      const keyCol = arr.keyCol;
      const vals = arr.valCol;
      const nums = arr.nums;
      // Sorting all slots, still in insertion order, by value: the column needs no slot list.
      const byValueOfAll = sortKey && sortColumn < 0 && nums !== null && !slice.length && arr.inSlotOrder();
      let slots = byValueOfAll ? [] : arr.slots();
      if (slice.length) {
        const want = slice.map((p) => (p ? p(f) : null));
        slots = slots.filter((sl) => {
          const keys = arr.keysAt(sl);
          return want.every((w, i) => w === null || w === keys[i]);
        });
      }
      if (sortKey && sortColumn < 0 && nums !== null) {
        slots = byValueOfAll
          ? (sortAllByValue(nums, keyCol.length, arr.numsLow, arr.numsHigh, dir) ?? sortSlotsByValue(null, nums, keyCol.length, dir))
          : sortSlotsByValue(slots, nums, slots.length, dir);
        if (!slice.length) arr.setOrder(slots);
      } else if (sortKey) {
        const keys: Value[] = new Array(slots.length);
        for (let i = 0; i < slots.length; i++) {
          const sl = slots[i]!;
          if (sortColumn < 0) keys[i] = isStats ? sortKey(NO_KEYS, vals[sl]!) : (vals[sl] as Value);
          else keys[i] = arr.arity === 1 ? (keyCol[sl] as Value) : (keyCol[sl] as Value[])[sortColumn]!;
        }
        const order = sortOrder(keys, dir);
        const sorted: number[] = new Array(slots.length);
        for (let i = 0; i < slots.length; i++) sorted[i] = slots[order[i]!]!;
        slots = sorted;
        // stap sorts the array's own list in place: later unsorted loops see this order (and
        // entries added meanwhile are appended to it, so this loop visits them too).
        if (!slice.length && !isStats) arr.setOrder(slots);
      }
      let n = limit ? Number(limit(f) as bigint) : -1;
      current.vals = vals;
      current.nums = nums;
      arr.iterating++;
      try {
        for (let j = 0; j < slots.length; j++) {
          if (n >= 0 && n-- === 0) break;
          const sl = slots[j]!;
          current.slot = sl;
          if (oneLocal >= 0) f[oneLocal] = keyCol[sl] as Value;
          else {
            const keys = arr.arity === 1 ? [keyCol[sl] as Value] : (keyCol[sl] as Value[]);
            for (let i = 0; i < nidx; i++) {
              const slot = idxLocal[i]!;
              if (slot >= 0) f[slot] = keys[i]!;
              else idxSlots[i]!(f, () => keys[i]!);
            }
          }
          if (valueLocal >= 0) f[valueLocal] = isStats ? 0n : nums !== null ? BigInt(nums[sl]!) : (vals[sl] as Value);
          else if (valueSlot) valueSlot(f, () => (isStats ? 0n : nums !== null ? BigInt(nums[sl]!) : (vals[sl] as Value)));
          const c = body(f);
          if (c === BREAK) break;
          if (c === RETURN) return c;
          if (++ctx.actions > ctx.actionLimit) ctx.tick(0, tok); // ctx.tick(1) without a call
        }
      } finally {
        arr.iterating--;
      }
      return NORMAL;
    };
  }

  /** What a foreach sorts by: an index column, the value, or an aggregate of the value. */
  private sortKey(s: A.ForeachLoop, isStats: boolean): SortKey | null {
    if (s.sortDirection === 0) return null;
    if (s.sortColumn > 0) {
      const col = s.sortColumn - 1;
      return (keys) => keys[col]!;
    }
    if (!isStats) return (_keys, value) => value as Value;
    const which = s.sortAggr ?? 'count';
    return (_keys, value) => this.natives.aggregateValue(value as StatData, which);
  }
}

export const NEXT_EXC = NEXT_IN_FUNCTION.signal;

type SortKey = (keys: Value[], value: Value | StatData) => Value;
const NO_KEYS: Value[] = [];
type Update = (f: Frame, compute: (old: Value) => Value) => Value;

/** What foreachColumns shares with the generic foreach compilation. */
interface ColumnLoop {
  limit: ((f: Frame) => Value) | null;
  idxSlots: Update[];
  /** Per index variable its frame slot, -1 for a global (then written through idxSlots). */
  idxLocal: number[];
  valueSlot: Update | null;
  /** The value variable's frame slot, -1 if none or global. */
  valueLocal: number;
  slice: (((f: Frame) => Value) | null)[];
  sortKey: SortKey | null;
  /** The index column sorted by (0-based), -1 for the value. */
  sortColumn: number;
  dir: 1 | -1;
  isStats: boolean;
  tok: A.Stmt['tok'];
}

/** Whether `s` may assign any of `vars` (then a foreach cannot trust its index variables). */
function writesAny(s: A.Stmt, vars: Var[], bound: Map<A.SymbolExpr, Var>): boolean {
  let found = false;
  const isTarget = (e: A.Expr) => e.kind === 'symbol' && vars.includes(bound.get(e)!);
  const visit = (n: unknown): void => {
    if (found || n === null || typeof n !== 'object') return;
    const node = n as A.Expr | A.Stmt;
    if (node.kind === 'assignment' && isTarget(node.left)) found = true;
    else if ((node.kind === 'pre_crement' || node.kind === 'post_crement') && isTarget(node.operand)) found = true;
    else if (node.kind === 'foreach_loop' && (node.indexes.some(isTarget) || (node.value && isTarget(node.value)))) found = true;
    else if (node.kind === 'try_block' && node.catchVar && isTarget(node.catchVar)) found = true;
    else if (node.kind === 'delete_statement' && isTarget(node.value)) found = true;
    for (const [k, x] of Object.entries(node)) if (k !== 'tok') visit(x);
  };
  visit(s);
  return found;
}

function firstStatementTok(s: A.Stmt): A.Stmt['tok'] | null {
  if (s.kind !== 'block') return s.tok;
  for (const x of s.statements) {
    const t = firstStatementTok(x);
    if (t) return t;
  }
  return null;
}
