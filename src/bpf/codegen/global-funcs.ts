// Built-ins' script bodies (tapset `__bpf_*`) that only compute with numbers, compiled once per
// program as global BPF subprograms instead of inlined at each call. The verifier checks a
// global subprogram once, on its own, with unknown arguments; inlined, its every branch would be
// walked again with the caller's exact values at each call, and branchy integer code (the
// software floating point of tapset/bpf-softfloat.stp: a leading-zero count is six ifs, 64
// paths) multiplies into millions of verified instructions. Like stap's native built-ins they
// charge no MAXACTION inside.
//
// Eligible: one definition, long parameters (at most five) and locals, a long result; its
// statements are blocks, expressions, if/else and return; its expressions numbers, its own
// variables, arithmetic other than / and % (a division by zero would be a run-time error the
// subprogram cannot raise), comparisons, logic, ?: and calls of other eligible functions.

import type * as A from '../../parse/ast.js';
import { isBuiltinBody, type Func, type Program } from '../../elaborate/model.js';
import { forEachChild, type Node } from '../../parse/walk.js';
import { Assembler } from '../asm.js';
import { R0, R1, R2, R3, R4, R5, FP } from '../insn.js';
import type { MapSpec } from '../spec.js';
import type { Token } from '../../parse/token.js';
import type { ProbeGen } from './gen.js';

const ARG_REGS = [R1, R2, R3, R4, R5] as const;
const STMTS = new Set(['block', 'expr_statement', 'if_statement', 'return_statement', 'null_statement']);
const EXPRS = new Set(['literal_number', 'symbol', 'assignment', 'binary', 'unary', 'comparison', 'logical', 'ternary', 'pre_crement', 'post_crement', 'functioncall']);

const eligibility = new WeakMap<Func, boolean>();

/** Whether `fn` compiles as a global subprogram (see the top of this file). */
export function isGlobalFunction(fn: Func, prog: Program, visiting = new Set<Func>()): boolean {
  const known = eligibility.get(fn);
  if (known !== undefined) return known;
  if (visiting.has(fn)) return false; // recursion stays inlined (and bounded by MAXNESTING)
  visiting.add(fn);
  const ok = isBuiltinBody(fn) && fn.overloads.length === 1 && fn.decl?.body.kind === 'block' &&
    fn.type === 'long' && fn.params.length <= ARG_REGS.length &&
    [...fn.params, ...fn.locals].every((v) => v.type === 'long') && pureBody(fn.decl.body, prog, visiting);
  visiting.delete(fn);
  eligibility.set(fn, ok);
  return ok;
}

function pureBody(body: Node, prog: Program, visiting: Set<Func>): boolean {
  let ok = true;
  const visit = (n: Node): void => {
    if (!ok) return;
    const kind = n.kind;
    if (!STMTS.has(kind) && !EXPRS.has(kind)) {
      ok = false;
      return;
    }
    if (kind === 'return_statement' && !(n as A.ReturnStatement).value) ok = false;
    if (kind === 'symbol' && prog.bindings.vars.get(n as A.SymbolExpr)?.scope === 'global') ok = false;
    if (kind === 'binary' && ['/', '%'].includes((n as A.BinaryExpr).op)) ok = false;
    if (kind === 'assignment' && ['/=', '%='].includes((n as A.AssignmentExpr).op)) ok = false;
    if (kind === 'functioncall') {
      const f = prog.bindings.calls.get(n as A.FunctionCall);
      if (!f || f.intrinsic || !isGlobalFunction(f, prog, visiting)) ok = false;
    }
    forEachChild(n, visit);
  };
  visit(body);
  return ok;
}

export const globalFuncMethods = {
  /** R0 = a call of global function `fn`, its subprogram generated with the handler's others. */
  callGlobal(this: ProbeGen, e: A.FunctionCall, fn: Func): void {
    const a = this.a;
    let name = this.globalFuncs.get(fn);
    if (!name) {
      name = `g_${fn.name}`;
      this.globalFuncs.set(fn, name);
      this.pendingGlobals.push(fn);
    }
    const slots = e.args.map((x) => {
      this.long(x);
      const slot = this.stack(8);
      a.stxDW(this.fp, slot, R0);
      return slot;
    });
    slots.forEach((slot, i) => a.ldxDW(ARG_REGS[i]!, this.fp, slot));
    a.at(e.tok);
    a.callLocal(name);
    this.stackTop -= 8 * slots.length;
  },

  /** The global subprograms the handler called, each in its own assembler (appended after the handler). */
  generateGlobals(this: ProbeGen): void {
    for (let fn = this.pendingGlobals.shift(); fn; fn = this.pendingGlobals.shift()) this.globalBody(fn);
  },

  globalBody(this: ProbeGen, fn: Func): void {
    const saved = { a: this.a, fp: this.fp, stackTop: this.stackTop, actions: this.actionsSlot, depth: this.depth, tries: this.tries.splice(0), builtin: this.builtinCall };
    this.builtinCall = fn.tok;
    const a = new Assembler<MapSpec, Token>();
    a.at(fn.tok);
    a.func(this.globalFuncs.get(fn)!, fn.params.length);
    this.a = a;
    this.fp = FP;
    this.stackTop = 16;
    this.actionsSlot = 0;
    this.depth = 0;
    const result = this.stack(8);
    fn.params.forEach((p, i) => {
      const slot = this.stack(8);
      a.stxDW(FP, slot, ARG_REGS[i]!);
      this.localSlots.set(p, slot);
    });
    this.newLocals(fn.locals);
    a.stDW(FP, result, 0);
    const end = this.fresh('gend');
    this.labelDepth.set(end, 0);
    this.inlined.push({ fn, result, end, type: 'long', next: this.fresh('gnext'), nextUsed: false });
    this.stmt(fn.decl!.body);
    this.inlined.pop();
    a.label(end);
    a.ldxDW(R0, FP, result);
    a.exit();
    this.subprogs.push(a);
    this.a = saved.a;
    this.fp = saved.fp;
    this.stackTop = saved.stackTop;
    this.actionsSlot = saved.actions;
    this.depth = saved.depth;
    this.tries.push(...saved.tries);
    this.builtinCall = saved.builtin;
  },
};

export type GlobalFuncMethods = typeof globalFuncMethods;
