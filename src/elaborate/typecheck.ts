// Type inference (stap's typeresolution_info): propagates long/string/stats through
// assignments, operators, calls, array indexes and format strings until nothing changes,
// then reports what is still unknown or inconsistent, with stap's messages.

import { SemanticError } from '../diag/errors.js';
import type * as A from '../parse/ast.js';
import { parseFormat } from '../parse/format.js';
import { unescapeLiteral } from '../format/escapes.js';
import { compiledRegex } from '../regex/compiled.js';
import { RegexSyntaxError } from '../regex/syntax.js';
import type { Token } from '../parse/token.js';

/** `$$vars` and kin: strings describing the probe's context variables (stapprobes). */
export const CONTEXT_STRINGS = /^\$\$(vars|parms|locals|return|name|system)$/;
import type { Bindings, DerivedProbe, Func, Var, VarType } from './model.js';

type Report = (e: SemanticError) => void;

interface Origin {
  tok: Token;
  type: VarType;
}

export class TypeChecker {
  private changed = false;
  private reporting = false;
  private currentFunc: Func | null = null;
  /** Where each variable's (or its index's) type was first inferred, for mismatch messages. */
  private readonly origins = new Map<Var, Map<number, Origin>>();

  constructor(private readonly b: Bindings, private readonly report: Report) {}

  run(probes: DerivedProbe[], functions: Func[]): void {
    for (let round = 0; round < 50; round++) {
      this.changed = false;
      this.pass(probes, functions);
      if (!this.changed) break;
    }
    this.reporting = true;
    this.pass(probes, functions);
    for (const p of probes) for (const v of p.locals) this.checkLocal(v);
    for (const f of functions) if (!f.intrinsic) for (const v of [...f.locals]) this.checkLocal(v);
  }

  private pass(probes: DerivedProbe[], functions: Func[]): void {
    for (const f of functions) {
      if (f.intrinsic || !f.decl || f.decl.body.kind !== 'block') continue;
      this.currentFunc = f;
      this.catching(() => this.stmt(f.decl!.body));
    }
    this.currentFunc = null;
    for (const p of probes) {
      if (p.condition) this.catching(() => this.expect(p.condition!, 'long'));
      this.catching(() => this.stmt(p.body));
    }
  }

  private catching(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof SemanticError)) throw e;
      if (this.reporting) this.report(e);
    }
  }

  /** stap compiles each regex literal in pass 2 and reports its syntax errors there. */
  private checkRegex(e: A.RegexQuery): void {
    try {
      compiledRegex(unescapeLiteral(e.right.value));
    } catch (err) {
      if (!(err instanceof RegexSyntaxError)) throw err;
      this.error(new SemanticError('regex', err.report, e.right.tok));
    }
  }

  private checkLocal(v: Var): void {
    if (v.arity > 0) this.error(new SemanticError('check_local:array', 'array locals not supported, missing global declaration? ', v.tok));
    if (v.type === 'unknown') this.error(new SemanticError('unresolved', 'unresolved type ', v.tok));
    else if (v.type === 'stats') this.error(new SemanticError('check_local:stats', 'stat locals not supported, missing global declaration? ', v.tok));
  }

  private error(e: SemanticError): void {
    if (this.reporting) this.report(e);
  }

  /** Gives `v` (or its index column `index`) type `t`, or reports a mismatch at `tok`. */
  private settle(v: Var, index: number, t: VarType, tok: Token): void {
    if (t === 'unknown') return;
    const cur = index < 0 ? v.type : v.indexTypes[index] ?? 'unknown';
    if (cur === 'unknown') {
      if (index < 0) v.type = t;
      else v.indexTypes[index] = t;
      let m = this.origins.get(v);
      if (!m) this.origins.set(v, (m = new Map()));
      if (!m.has(index)) m.set(index, { tok, type: t });
      this.changed = true;
      return;
    }
    if (cur === t) return;
    let idx = index;
    if (index < 0 && this.currentFunc) {
      const p = this.currentFunc.params.indexOf(v);
      if (p >= 0) idx = p;
    }
    const origin = this.origins.get(v)?.get(index);
    if (!origin) {
      this.error(new SemanticError('mismatch:decl', `type mismatch: expected ${t} but found ${cur}`, tok));
      return;
    }
    const err = new SemanticError('mismatch:decl', `${idx >= 0 ? `index ${idx} ` : ''}type mismatch (${t})`, tok);
    err.chain = new SemanticError('mismatch:origin', `type${idx >= 0 ? ` of index ${idx}` : ''} was first inferred here (${cur})`, origin.tok);
    this.error(err);
  }

  /** Types `e` wanting `want`; reports "expected X but found Y" when it cannot be. */
  private expect(e: A.Expr, want: VarType): void {
    const got = this.expr(e, want);
    if (want !== 'unknown' && got !== 'unknown' && got !== want) {
      this.error(new SemanticError('mismatch:expected', `type mismatch: expected ${want} but found ${got}`, e.tok));
    }
  }

  private varOf(e: A.Expr): Var | undefined {
    if (e.kind === 'symbol') return this.b.vars.get(e);
    if (e.kind === 'arrayindex' && e.base.kind === 'symbol') return this.b.vars.get(e.base);
    return undefined;
  }

  /** The type of an lvalue-ish reference, settling the variable to `want` if unknown. */
  private ref(e: A.SymbolExpr | A.ArrayIndex, want: VarType): VarType {
    if (e.kind === 'arrayindex') {
      if (e.base.kind === 'hist_op') {
        this.histOp(e.base);
        e.indexes.forEach((i) => i && this.expect(i, 'long'));
        return 'long';
      }
      const v = this.b.vars.get(e.base)!;
      e.indexes.forEach((ix, i) => {
        if (!ix) return;
        const t = this.expr(ix, v.indexTypes[i] ?? 'unknown');
        this.settle(v, i, t, ix.tok);
      });
      this.settle(v, -1, want, e.tok);
      return v.type;
    }
    const v = this.b.vars.get(e)!;
    this.settle(v, -1, want, e.tok);
    return v.type;
  }

  private histOp(h: A.HistOp): void {
    const v = this.varOf(h.stat);
    if (h.stat.kind === 'symbol' || h.stat.kind === 'arrayindex') this.ref(h.stat, 'stats');
    if (v) v.statOps.add(h.htype === 'linear' ? '@hist_linear' : '@hist_log');
  }

  private expr(e: A.Expr, want: VarType): VarType {
    const t = this.exprInner(e, want);
    if (t !== 'unknown') this.b.types.set(e, t);
    return t;
  }

  private exprInner(e: A.Expr, want: VarType): VarType {
    switch (e.kind) {
      case 'literal_number': return 'long';
      case 'literal_string': return 'string';
      case 'embedded_expr': return want === 'string' ? 'string' : 'long';
      case 'symbol': return this.ref(e, want);
      case 'arrayindex': return this.ref(e, want);
      case 'assignment': return this.assignment(e);
      case 'binary':
        this.expect(e.left, 'long');
        this.expect(e.right, 'long');
        return 'long';
      case 'logical':
        this.expect(e.left, 'long');
        this.expect(e.right, 'long');
        return 'long';
      case 'comparison': {
        let lt = this.expr(e.left, 'unknown');
        const rt = this.expr(e.right, lt);
        if (lt === 'unknown' && rt !== 'unknown') lt = this.expr(e.left, rt);
        if (lt !== 'unknown' && rt !== 'unknown' && lt !== rt) {
          this.error(new SemanticError('mismatch:binary', `type mismatch: left and right sides don't agree (${lt} vs ${rt})`, e.tok));
        }
        if (lt === 'stats' || rt === 'stats') this.error(new SemanticError('invalid', 'invalid operator', e.tok));
        return 'long';
      }
      case 'concat':
        this.expect(e.left, 'string');
        this.expect(e.right, 'string');
        return 'string';
      case 'regex_query':
        this.expect(e.left, 'string');
        if (this.reporting) this.checkRegex(e);
        return 'long';
      case 'unary':
        this.expect(e.operand, 'long');
        return 'long';
      case 'pre_crement':
      case 'post_crement':
        this.expect(e.operand, 'long');
        return 'long';
      case 'ternary': {
        this.expect(e.cond, 'long');
        let t = this.expr(e.truevalue, want);
        const f = this.expr(e.falsevalue, t === 'unknown' ? want : t);
        if (t === 'unknown' && f !== 'unknown') t = this.expr(e.truevalue, f);
        if (t !== 'unknown' && f !== 'unknown' && t !== f) {
          this.error(new SemanticError('mismatch:ternary', `type mismatch: expected ${t} but found ${f}`, e.falsevalue.tok));
        }
        return t !== 'unknown' ? t : f;
      }
      case 'array_in': {
        const a = e.operand;
        if (a.base.kind === 'hist_op') {
          this.histOp(a.base);
          return 'long';
        }
        const v = this.b.vars.get(a.base)!;
        a.indexes.forEach((ix, i) => {
          if (ix) this.settle(v, i, this.expr(ix, v.indexTypes[i] ?? 'unknown'), ix.tok);
        });
        return 'long';
      }
      case 'functioncall': return this.call(e);
      case 'print_format': return this.printFormat(e);
      case 'stat_op': {
        if (e.stat.kind === 'symbol' || e.stat.kind === 'arrayindex') this.ref(e.stat, 'stats');
        const v = this.varOf(e.stat);
        if (v) {
          v.statOps.add('@' + e.ctype);
          if (e.ctype === 'variance' && e.params.length) v.varianceShift = Number(e.params[0]);
        }
        return 'long';
      }
      case 'hist_op':
        this.histOp(e);
        return 'stats';
      case 'defined_op': return 'long';
      case 'entry_op': return this.expr(e.operand, want);
      case 'perf_op': return 'long';
      case 'target_symbol':
        // $$vars, $$parms, $$locals, $$return, $$name, $$system: strings of the probe's context.
        if (CONTEXT_STRINGS.test(e.name)) return 'string';
        // `$var$`, `$var$$`: pretty printing.
        return e.components[e.components.length - 1]?.type === 'pretty' ? 'string' : 'long';
      case 'cast_op':
        return e.components[e.components.length - 1]?.type === 'pretty' ? 'string' : 'long';
      case 'atvar_op': case 'autocast_op':
      case 'target_register': case 'target_deref': case 'probewrite_op':
        return 'long';
    }
  }

  private assignment(e: A.AssignmentExpr): VarType {
    const target = e.left;
    const isRef = target.kind === 'symbol' || target.kind === 'arrayindex';
    switch (e.op) {
      case '<<<':
        if (isRef) this.ref(target, 'stats');
        else this.error(new SemanticError('assign:lvalue', 'Expecting lvalue for assignment', target.tok));
        this.expect(e.right, 'long');
        return 'long';
      case '=': {
        let lt = isRef ? this.ref(target, 'unknown') : this.expr(target, 'unknown');
        const rt = this.expr(e.right, lt);
        if (lt === 'unknown' && rt !== 'unknown' && isRef) lt = this.ref(target, rt);
        else if (isRef && rt !== 'unknown') this.ref(target, rt);
        if (lt === 'stats') this.error(new SemanticError('assign:stats', 'invalid operator', e.tok));
        return lt !== 'unknown' ? lt : rt;
      }
      case '.=':
        if (isRef) this.ref(target, 'string');
        this.expect(e.right, 'string');
        return 'string';
      default:
        if (isRef) this.ref(target, 'long');
        this.expect(e.right, 'long');
        return 'long';
    }
  }

  private call(e: A.FunctionCall): VarType {
    const first = this.b.calls.get(e)!;
    let type: VarType = 'unknown';
    for (const f of first.intrinsic ? [first] : first.overloads) {
      const t = this.callOne(e, f);
      if (type === 'unknown') type = t;
    }
    return type;
  }

  private callOne(e: A.FunctionCall, f: Func): VarType {
    e.args.forEach((a, i) => {
      const p = f.params[i]!;
      const t = this.expr(a, p.type);
      if (f.intrinsic) {
        if (t !== 'unknown' && p.type !== 'unknown' && t !== p.type) {
          this.error(new SemanticError('mismatch:expected', `type mismatch: expected ${p.type} but found ${t}`, a.tok));
        }
      } else {
        this.settle(p, -1, t, a.tok);
        // An argument of unknown type takes the parameter's, once known.
        if (t === 'unknown' && p.type !== 'unknown') this.expr(a, p.type);
      }
    });
    return f.type;
  }

  private printFormat(e: A.PrintFormat): VarType {
    if (e.hist) this.histOp(e.hist);
    if (e.withFormat && e.format !== null) {
      const convs = parseFormat(e.format).filter((c) => c.type !== 'literal');
      let ai = 0;
      for (const c of convs) {
        if (c.width === '*') this.expect(e.args[ai++] ?? e.args[0]!, 'long');
        if (c.precision === '*') this.expect(e.args[ai++] ?? e.args[0]!, 'long');
        const a = e.args[ai++];
        if (!a) break;
        const want: VarType = c.type === 'string' || c.type === 'memory' || c.type === 'memory_hex' ? (c.type === 'string' ? 'string' : 'long')
          : 'long';
        this.expect(a, want);
      }
      const needed = convs.reduce((n, c) => n + 1 + (c.width === '*' ? 1 : 0) + (c.precision === '*' ? 1 : 0), 0);
      if (needed !== e.args.length) {
        this.error(new SemanticError('print:args', 'Wrong number of args to formatted print operator', e.tok));
      }
    } else {
      for (const a of e.args) {
        const t = this.expr(a, 'unknown');
        if (t === 'stats') this.error(new SemanticError('invalid', 'invalid type stats', a.tok));
      }
    }
    return e.stream ? 'unknown' : 'string';
  }

  private stmt(s: A.Stmt): void {
    switch (s.kind) {
      case 'block':
        for (const x of s.statements) this.stmt(x);
        return;
      case 'embeddedcode': case 'null_statement': case 'next_statement': case 'break_statement': case 'continue_statement':
        return;
      case 'try_block':
        this.stmt(s.tryBlock);
        if (s.catchVar) this.ref(s.catchVar, 'string');
        this.stmt(s.catchBlock);
        return;
      case 'for_loop':
        if (s.init) this.expr(s.init.value, 'unknown');
        this.expect(s.cond, 'long');
        if (s.incr) this.expr(s.incr.value, 'unknown');
        this.stmt(s.body);
        return;
      case 'foreach_loop': {
        if (s.base.kind === 'hist_op') {
          this.histOp(s.base);
          if (s.indexes[0]) this.ref(s.indexes[0], 'long');
          if (s.value) this.ref(s.value, 'long');
        } else {
          const v = this.b.vars.get(s.base)!;
          s.indexes.forEach((ix, i) => {
            const t = this.ref(ix, v.indexTypes[i] ?? 'unknown');
            this.settle(v, i, t, ix.tok);
          });
          s.arraySlice.forEach((x, i) => {
            if (x) this.settle(v, i, this.expr(x, v.indexTypes[i] ?? 'unknown'), x.tok);
          });
          if (s.value) {
            const t = this.ref(s.value, v.type === 'stats' ? 'unknown' : v.type);
            if (v.type !== 'stats') this.settle(v, -1, t, s.value.tok);
          }
          if (s.sortAggr) v.statOps.add('@' + s.sortAggr);
        }
        if (s.limit) this.expect(s.limit, 'long');
        this.stmt(s.body);
        return;
      }
      case 'expr_statement':
        this.expr(s.value, 'unknown');
        return;
      case 'return_statement': {
        const f = this.currentFunc;
        if (!f || !s.value) return;
        const t = this.expr(s.value, f.type);
        if (f.type === 'unknown' && t !== 'unknown') {
          f.type = t;
          this.changed = true;
        } else if (t !== 'unknown' && t !== f.type) {
          this.error(new SemanticError('mismatch:return', `type mismatch: expected ${f.type} but found ${t}`, s.value.tok));
        }
        return;
      }
      case 'delete_statement':
        if (s.value.kind === 'arrayindex') {
          const a = s.value;
          if (a.base.kind === 'symbol') {
            const v = this.b.vars.get(a.base)!;
            a.indexes.forEach((ix, i) => ix && this.settle(v, i, this.expr(ix, v.indexTypes[i] ?? 'unknown'), ix.tok));
          }
        }
        return;
      case 'if_statement':
        this.expect(s.cond, 'long');
        this.stmt(s.thenStmt);
        if (s.elseStmt) this.stmt(s.elseStmt);
        return;
    }
  }
}
