// Statements in kernel handlers: blocks, if, for/while with MAXACTION accounting, try/catch,
// next, return, delete, and function calls inlined at their call sites.

import { isGlobalFunction } from './global-funcs.js';
import type * as A from '../../parse/ast.js';
import type { Token } from '../../parse/token.js';
import { isBuiltinBody, type Func, type Var } from '../../elaborate/model.js';
import { R0, R1, R2, R7, R9, type Reg } from '../insn.js';
import { EXIT, unsupported, Val, endsInJump, firstTok, describeStmt, loopRunsAsCallback } from './shared.js';
import { forEachChild, type Node } from '../../parse/walk.js';
import type { ProbeGen } from './gen.js';

/**
 * Instructions a handler may reach before another level of a recursive function is refused:
 * jumps have 16-bit offsets (32767 instructions), and the handler's exit is after everything.
 */
const RECURSION_SLOTS = 24576;

/** Iterations a loop in a built-in's script body may run (bodies charge no MAXACTION). */
const BUILTIN_LOOP_MAX = 4096;

export const statementsMethods = {
  /** Fresh storage for locals, empty: strings in scratch slots, longs in stack words. */
  newLocals(this: ProbeGen, vars: Var[]): void {
    for (const v of vars) {
      if (v.type === 'string') {
        const off = this.scratch(this.SLOT);
        this.stringLocals.set(v, off);
        this.ks.empty(R7, off);
      } else {
        const slot = this.stack(8);
        this.localSlots.set(v, slot);
        this.a.stDW(this.fp, slot, 0);
      }
    }
  },

  /**
   * A statement's temporaries (string slots, stack words, an inlined function's locals) are
   * dead once it is done: the next statement reuses them. Probe locals live in the prologue's
   * slots, below any statement's.
   */
  stmt(this: ProbeGen, s: A.Stmt): void {
    const scratchTop = this.scratchTop;
    const stackTop = this.stackTop;
    this.stmtCode(s);
    this.scratchTop = scratchTop;
    this.stackTop = stackTop;
  },

  stmtCode(this: ProbeGen, s: A.Stmt): void {
    const a = this.a;
    a.at(s.tok);
    switch (s.kind) {
      case 'block':
        for (const x of s.statements) {
          this.stmt(x);
          if (endsInJump(x)) return; // the rest is unreachable (the verifier rejects dead code)
        }
        return;
      case 'null_statement': return;
      case 'expr_statement': this.tick(1, s.tok); a.at(s.tok); this.effect(s.value); return;
      case 'if_statement': {
        const els = this.fresh('else');
        const end = this.fresh('endif');
        this.tick(1, s.tok);
        a.at(s.tok);
        this.long(s.cond);
        a.jmpImm('jeq', R0, 0, els);
        this.stmt(s.thenStmt);
        if (s.elseStmt && !endsInJump(s.thenStmt)) a.ja(end);
        a.label(els);
        if (s.elseStmt) this.stmt(s.elseStmt);
        a.label(end);
        return;
      }
      // `next` ends the probe; in a function, it hands the call to the next overload.
      case 'next_statement': {
        const f = this.inlined[this.inlined.length - 1];
        if (f) f.nextUsed = true;
        a.ja(this.to(f ? f.next : EXIT));
        return;
      }
      case 'delete_statement': this.tick(1, s.tok); a.at(s.tok); this.delete(s); return;
      case 'for_loop': this.forLoop(s); return;
      case 'foreach_loop': this.foreach(s); return;
      case 'try_block': {
        const catchLabel = this.fresh('catch');
        const end = this.fresh('tryend');
        const catchVar = s.catchVar ? this.varOf(s.catchVar) : null;
        this.labelDepth.set(catchLabel, this.depth);
        this.tries.push({ catchLabel, catchVar });
        this.stmt(s.tryBlock);
        this.tries.pop();
        if (!endsInJump(s.tryBlock)) a.ja(end);
        a.label(catchLabel);
        this.stmt(s.catchBlock);
        a.label(end);
        return;
      }
      case 'break_statement': a.ja(this.to(this.loops[this.loops.length - 1]!.brk)); return;
      case 'continue_statement': a.ja(this.to(this.loops[this.loops.length - 1]!.cont)); return;
      case 'return_statement': {
        const f = this.inlined[this.inlined.length - 1];
        if (!f) throw unsupported('return outside a function', s.tok);
        this.tick(1, s.tok);
        a.at(s.tok);
        if (s.value) {
          if (f.type === 'string') this.storeString(f.result, s.value);
          else {
            this.long(s.value);
            a.stxDW(this.fp, f.result, R0);
          }
        }
        a.ja(this.to(f.end));
        return;
      }
      default: throw unsupported(describeStmt(s), s.tok);
    }
  },

  /**
   * for/while: bounded by the handler's MAXACTION budget, which the verifier can follow (it
   * walks each iteration; an unbounded loop is rejected at load time).
   */
  forLoop(this: ProbeGen, s: A.ForLoop): void {
    // A built-in body's loops are not charged, so no budget bounds them for the verifier.
    if (this.depth > 0 || loopRunsAsCallback(s, this.prog) || this.builtinCall !== null) {
      this.forLoopInCallback(s);
      return;
    }
    const a = this.a;
    const top = this.fresh('loop');
    const { cont, brk } = this.loopLabels('');
    // The interpreter's accounting, action for action: one before the loop (two with an init
    // statement), one per iteration (forIteration).
    this.tick(s.init ? 2 : 1, s.tok);
    if (s.init) this.effect(s.init.value);
    a.label(top);
    this.forIteration(s, { cont, brk });
    a.ja(top);
    a.label(brk);
  },

  /**
   * A for/while loop as a bpf_loop of its own, one iteration per call: inside a callback (a
   * foreach body), and for heavy loops (shared.ts loopRunsAsCallback). The verifier checks a
   * callback once for any number of calls; in one, the budget is in map memory, a number it
   * does not know, so a loop written out in place would have it walk iterations until its
   * 1M-instruction limit. The accounting is the same as `forLoop`'s.
   */
  forLoopInCallback(this: ProbeGen, s: A.ForLoop): void {
    this.tick(s.init ? 2 : 1, s.tok);
    if (s.init) this.effect(s.init.value);
    const carried = this.loopLocals(s);
    const temp = this.scratch(8);
    const iterate = this.callback('loop', () => {
      const a = this.a;
      // The loop's locals pass through map memory at the top of each iteration: the same
      // values, but numbers the verifier no longer knows. Else it follows `j` exactly, walking
      // every iteration, and the code after the loop once for each value `j` may leave with.
      for (const slot of carried) {
        a.ldxDW(R1, this.fp, slot);
        a.stxDW(R7, temp, R1);
        a.ldxDW(R1, R7, temp);
        a.stxDW(this.fp, slot, R1);
      }
      const { cont, brk } = this.loopLabels('');
      this.forIteration(s, { cont, brk });
      a.mov64Imm(R0, 0);
      a.exit();
      a.label(brk);
      a.mov64Imm(R0, 1);
      a.exit();
    });
    // Every iteration costs an action: the budget ends the loop before bpf_loop's count does.
    // A built-in body's loops are uncharged, and bounded by what they work on (at most a
    // string's bytes or a double's exponent range).
    this.runLoop(this.builtinCall !== null ? Math.max(this.maxAction + 2, BUILTIN_LOOP_MAX) : this.maxAction + 2, iterate.name);
    this.dispatchEscapes(iterate.escaped);
  },

  /** A loop's `continue` and `break` targets, at this callback depth (the caller places them). */
  loopLabels(this: ProbeGen, hint: string): { cont: string; brk: string } {
    const labels = { cont: this.fresh(`${hint}cont`), brk: this.fresh(`${hint}brk`) };
    this.labelDepth.set(labels.cont, this.depth);
    this.labelDepth.set(labels.brk, this.depth);
    return labels;
  },

  /**
   * One iteration of a for/while loop: the condition (false: to `brk`), the body, `cont`, the
   * increment, and the iteration's action charged at the body's first statement.
   */
  forIteration(this: ProbeGen, s: A.ForLoop, labels: { cont: string; brk: string }): void {
    this.long(s.cond);
    this.a.jmpImm('jeq', R0, 0, labels.brk);
    this.loopBody(s.body, labels);
    this.a.label(labels.cont);
    if (s.incr) this.effect(s.incr.value);
    this.tick(1, firstTok(s.body) ?? s.tok);
  },

  /** A loop's body, where `continue` and `break` go to `labels`. */
  loopBody(this: ProbeGen, body: A.Stmt, labels: { cont: string; brk: string }): void {
    this.loops.push(labels);
    this.stmt(body);
    this.loops.pop();
  },

  /** Stack slots of the long locals a loop's condition, body or increment names. */
  loopLocals(this: ProbeGen, s: A.ForLoop): number[] {
    const slots = new Set<number>();
    const visit = (n: Node): void => {
      if (n.kind === 'symbol') {
        const v = this.prog.bindings.vars.get(n);
        const slot = v && v.scope !== 'global' ? this.localSlots.get(v) : undefined;
        if (slot !== undefined) slots.add(slot);
      }
      forEachChild(n, visit);
    };
    for (const part of [s.cond, s.body, s.incr]) if (part) visit(part);
    return [...slots];
  },

  /**
   * Charges `n` actions against the handler's MAXACTION budget; only handlers with loops keep
   * one (a loop-free handler was checked up front, and hot-path counters pay nothing).
   */
  tick(this: ProbeGen, n: number, tok: Token): void {
    // A built-in's script body charges nothing, as stap's native built-ins.
    if (this.actionsSlot === 0 || this.builtinCall !== null) return;
    const a = this.a;
    a.at(tok);
    const [base, off]: [Reg, number] = this.depth > 0 ? [R7, this.callbackBudget] : [this.fp, this.actionsSlot];
    a.ldxDW(R1, base, off);
    a.alu64Imm('sub', R1, n);
    a.stxDW(base, off, R1);
    const ok = this.fresh('budget');
    a.jmpImm('jsge', R1, 0, ok);
    this.runtimeError('MAXACTION exceeded', tok);
    a.label(ok);
  },

  /**
   * A script function, inlined at the call (BPF has no recursion: a recursive function is
   * expanded once per level, down to MAXNESTING, where the call is stap's "MAXNESTING exceeded").
   */
  inlineCall(this: ProbeGen, e: A.FunctionCall, fn: Func): number | null {
    // A built-in's script body (tapset/bpf-bodies.stp): its error()s are reported at the
    // outermost built-in call, as the interpreter's native ones are.
    if (isBuiltinBody(fn) && this.builtinCall === null) {
      this.builtinCall = e.tok;
      try {
        return this.inlineCall(e, fn);
      } finally {
        this.builtinCall = null;
      }
    }
    if (isGlobalFunction(fn, this.prog)) {
      this.callGlobal(e, fn);
      return null;
    }
    const a = this.a;
    for (const o of fn.overloads) {
      if (o.decl!.body.kind !== 'block') throw unsupported(`embedded-C function ${o.name}()`, e.tok);
    }
    const type: Val = fn.type === 'string' ? 'string' : 'long';
    const result = type === 'string' ? this.scratch(this.SLOT) : this.stack(8);
    if (type === 'string') this.ks.empty(R7, result);
    else a.stDW(this.fp, result, 0);
    // Arguments first (in the caller's scope), then parameters and locals get fresh storage.
    const argVals = e.args.map((x, i) => {
      const p = fn.params[i]!;
      if (p.type === 'string') return { kind: 'string' as const, off: this.str(x) };
      this.long(x);
      const slot = this.stack(8);
      a.stxDW(this.fp, slot, R0);
      return { kind: 'long' as const, slot };
    });
    // As the interpreter: the arguments are evaluated, then the depth checked (stap's
    // `c->nesting+1 >= MAXNESTING`, nesting -1 in the probe's body).
    if (this.inlined.length >= this.maxNesting) {
      this.runtimeError('MAXNESTING exceeded', fn.overloads[0]!.tok);
      if (type === 'string') return result;
      a.ldxDW(R0, this.fp, result);
      return null;
    }
    if (this.inlined.some((x) => fn.overloads.includes(x.fn)) && this.a.pc > RECURSION_SLOTS) {
      throw unsupported(`recursive function ${fn.name}() at MAXNESTING ${this.maxNesting}: each level of its calls is a copy, ` +
        `more than ${RECURSION_SLOTS} instructions in all (a smaller -D MAXNESTING may fit)`, e.tok);
    }
    const end = this.fresh('fnend');
    this.labelDepth.set(end, this.depth);
    // Overloads in order (stap's): `next` in one goes on with the next with the same arguments;
    // past the last, as the interpreter, "all functions exhausted". One that never says `next`
    // is the last one reached.
    for (const o of fn.overloads) {
      // An outer expansion of the same function (recursion) gets its own storage back after.
      const outer = this.saveBindings([...o.params, ...o.locals]);
      o.params.forEach((p, i) => {
        const v = argVals[i]!;
        if (v.kind === 'string') {
          const off = this.scratch(this.SLOT);
          this.ks.copy(R7, off, R7, v.off);
          this.stringLocals.set(p, off);
        } else if (fn.overloads.length === 1) {
          this.localSlots.set(p, v.slot);
        } else {
          // Each overload gets the arguments as passed, whatever an earlier one did to its copy.
          const slot = this.stack(8);
          this.copy(this.fp, slot, this.fp, v.slot, 8);
          this.localSlots.set(p, slot);
        }
      });
      this.newLocals(o.locals);
      const entry = { fn: o, result, end, type, next: this.fresh('fnnext'), nextUsed: false };
      this.labelDepth.set(entry.next, this.depth);
      this.inlined.push(entry);
      this.stmt(o.decl!.body);
      this.inlined.pop();
      outer();
      if (!entry.nextUsed) break;
      a.ja(end);
      a.label(entry.next);
      if (o === fn.overloads[fn.overloads.length - 1]) this.runtimeError('all functions exhausted', e.tok);
    }
    a.label(end);
    if (type === 'string') return result;
    a.ldxDW(R0, this.fp, result);
    return null;
  },

  /** Remembers where `vars` live now; the returned function puts them back there. */
  saveBindings(this: ProbeGen, vars: Var[]): () => void {
    const longs = vars.map((v) => this.localSlots.get(v));
    const strings = vars.map((v) => this.stringLocals.get(v));
    return () => vars.forEach((v, i) => {
      const [l, s] = [longs[i], strings[i]];
      if (l === undefined) this.localSlots.delete(v);
      else this.localSlots.set(v, l);
      if (s === undefined) this.stringLocals.delete(v);
      else this.stringLocals.set(v, s);
    });
  },

  delete(this: ProbeGen, s: A.DeleteStatement): void {
    const v = s.value;
    if (v.kind === 'arrayindex' && v.base.kind === 'symbol' && v.indexes.every((i) => i !== null)) {
      const loc = this.globalLoc(v.base);
      if (loc.kind !== 'array') throw unsupported('delete of this value', s.tok);
      const key = this.key(loc, v.indexes as A.Expr[]);
      this.a.ldMapFd(R1, loc.map);
      this.a.mov64Reg(R2, R7);
      this.a.alu64Imm('add', R2, key);
      this.a.call('map_delete_elem');
      return;
    }
    if (v.kind === 'symbol' && this.varOf(v).scope === 'global') {
      const loc = this.globalLoc(v);
      if (loc.kind === 'scalar') {
        // A scalar goes back to 0 or "".
        this.a.stDW(R9, loc.offset, 0);
        return;
      }
      if (loc.kind === 'stats') {
        this.clearStats(loc);
        return;
      }
      if (loc.kind === 'array') {
        this.clearArray(loc);
        return;
      }
    }
    if (v.kind === 'symbol' && this.varOf(v).scope !== 'global') {
      const local = this.varOf(v);
      if (local.type === 'string') this.ks.empty(R7, this.stringLocals.get(local)!);
      else this.a.stDW(this.fp, this.localSlots.get(local)!, 0);
      return;
    }
    throw unsupported('deleting whole arrays in a kernel probe', s.tok);
  },

  /** An expression evaluated for its effect. */
  effect(this: ProbeGen, e: A.Expr): void {
    if (e.kind === 'print_format' || e.kind === 'functioncall' || e.kind === 'assignment' ||
        e.kind === 'pre_crement' || e.kind === 'post_crement') {
      this.value(e);
      return;
    }
    this.value(e);
  },
};

export type StatementsMethods = typeof statementsMethods;
