// stap's pass-2 optimizations that users can see (skipped with -u): eliding unused variables,
// assignments to never-read locals, side-effect-free expression statements and then-empty
// probes, each with stap's warning; plus "never-assigned" warnings.

import type { Reporter } from '../diag/reporter.js';
import type * as A from '../parse/ast.js';
import { forEachChild, type Node } from '../parse/walk.js';
import type { Bindings, DerivedProbe, Func, Var } from './model.js';
import { suggest } from './suggest.js';

interface Use {
  read: Set<Var>;
  written: Set<Var>;
  /** Output, embedded C, or calls whose effects we cannot see. */
  effects: boolean;
}

export interface OptimizeInput {
  probes: DerivedProbe[];
  functions: Func[];
  globals: Var[];
  bindings: Bindings;
  reporter: Reporter;
  /** Files whose declarations draw warnings (the user's, not tapsets). */
  isUserFile: (name: string) => boolean;
}

export function optimize(inp: OptimizeInput): { probes: DerivedProbe[]; globals: Var[] } {
  let { probes, globals } = inp;
  for (let iteration = 0; iteration < 20; iteration++) {
    let relaxed = true;
    const use = collectUse(probes, inp.bindings);

    // Unused variables.
    const warnUnused = (v: Var) => {
      if (inp.isUserFile(v.tok.file.name)) inp.reporter.warning(`Eliding unused variable '${v.name}'`, v.tok);
    };
    for (const p of probes) {
      p.locals = p.locals.filter((v) => {
        if (use.read.has(v) || use.written.has(v)) {
          if (!use.written.has(v) && iteration === 0) neverAssigned(inp, v, [...p.locals, ...globals]);
          return true;
        }
        warnUnused(v);
        relaxed = false;
        return false;
      });
    }
    for (const f of inp.functions) {
      f.locals = f.locals.filter((v) => {
        if (use.read.has(v) || use.written.has(v)) {
          if (!use.written.has(v) && iteration === 0) neverAssigned(inp, v, [...f.params, ...f.locals, ...globals]);
          return true;
        }
        warnUnused(v);
        relaxed = false;
        return false;
      });
    }
    globals = globals.filter((v) => {
      if (use.read.has(v) || use.written.has(v)) {
        if (!use.written.has(v) && !v.init && iteration === 0) {
          const sugs = suggest(v.name, globals.filter((g) => g !== v).map((g) => g.name), 5);
          inp.reporter.warning(`never-assigned global variable '${v.name}'${sugs ? ` (similar: ${sugs})` : ''}`, v.tok);
        }
        return true;
      }
      warnUnused(v);
      relaxed = false;
      return false;
    });

    // Dead assignments and side-effect-free statements.
    const globalSet = new Set(globals);
    const rewrite = new Rewriter(inp, use, globalSet);
    for (const p of probes) {
      p.body = rewrite.block(p.body);
      if (rewrite.changed) relaxed = false;
      rewrite.changed = false;
    }
    for (const f of inp.functions) {
      if (f.decl && f.decl.body.kind === 'block') {
        f.decl.body = rewrite.block(f.decl.body);
        if (rewrite.changed) relaxed = false;
        rewrite.changed = false;
      }
    }
    if (relaxed) break;
  }
  const kept = probes.filter((p) => {
    if (p.body.statements.length > 0) return true;
    inp.reporter.warning(`Probe '${p.site.point.split('.')[0]!.replace(/\(.*$/, '')}' has been elided`, p.tok);
    return false;
  });
  return { probes: kept, globals };
}

function neverAssigned(inp: OptimizeInput, v: Var, scope: Var[]): void {
  const sugs = suggest(v.name, scope.filter((x) => x !== v).map((x) => x.name), 5);
  inp.reporter.warning(`never-assigned local variable '${v.name}'${sugs ? ` (similar: ${sugs})` : ''}`, v.tok);
}

function collectUse(probes: DerivedProbe[], b: Bindings): Use {
  const use: Use = { read: new Set(), written: new Set(), effects: false };
  const seen = new Set<Func>();
  const visit = (n: Node): void => visitUse(n, b, use, seen);
  for (const p of probes) {
    visit(p.body);
    if (p.condition) visit(p.condition);
  }
  return use;
}

/** What evaluating `n` reads and writes (following calls into script functions). */
function visitUse(n: Node, b: Bindings, use: Use, seen: Set<Func>): void {
  const visit = (c: Node) => visitUse(c, b, use, seen);
  const target = (e: A.Expr, read: boolean) => {
    if (e.kind === 'symbol') {
      const v = b.vars.get(e);
      if (v) {
        use.written.add(v);
        if (read) use.read.add(v);
      }
    } else if (e.kind === 'arrayindex' && e.base.kind === 'symbol') {
      const v = b.vars.get(e.base);
      if (v) {
        use.written.add(v);
        if (read) use.read.add(v);
      }
      for (const i of e.indexes) if (i) visit(i);
    } else {
      visit(e);
    }
  };
  switch (n.kind) {
    case 'symbol': {
      const v = b.vars.get(n);
      if (v) use.read.add(v);
      return;
    }
    case 'assignment':
      target(n.left, !(n.op === '=' || n.op === '<<<'));
      visit(n.right);
      return;
    case 'pre_crement': case 'post_crement':
      target(n.operand, true);
      return;
    case 'delete_statement':
      target(n.value, false);
      return;
    case 'foreach_loop':
      for (const i of n.indexes) target(i, false);
      if (n.value) target(n.value, false);
      visit(n.base);
      for (const s of n.arraySlice) if (s) visit(s);
      if (n.limit) visit(n.limit);
      visit(n.body);
      return;
    case 'try_block':
      visit(n.tryBlock);
      if (n.catchVar) target(n.catchVar, false);
      visit(n.catchBlock);
      return;
    case 'functioncall': {
      for (const a of n.args) visit(a);
      const f = b.calls.get(n);
      if (!f || f.intrinsic || !f.decl || f.decl.body.kind !== 'block') {
        use.effects = true;
        return;
      }
      if (!seen.has(f)) {
        seen.add(f);
        visit(f.decl.body);
      }
      return;
    }
    case 'print_format':
      if (n.stream) use.effects = true;
      forEachChild(n, visit);
      return;
    case 'embedded_expr': case 'embeddedcode':
      use.effects = true;
      return;
    default:
      forEachChild(n, visit);
  }
}

class Rewriter {
  changed = false;
  constructor(private readonly inp: OptimizeInput, private readonly use: Use, private readonly globals: Set<Var>) {}

  block(b: A.Block): A.Block {
    b.statements = b.statements.map((s) => this.stmt(s)).filter((s): s is A.Stmt => s !== null);
    return b;
  }

  private stmt(s: A.Stmt): A.Stmt | null {
    switch (s.kind) {
      case 'block': return this.block(s);
      case 'expr_statement': {
        s.value = this.expr(s.value);
        if (this.sideEffectFree(s.value)) {
          if (this.inp.isUserFile(s.tok.file.name)) this.inp.reporter.warning('Eliding side-effect-free expression ', s.tok);
          this.changed = true;
          return null;
        }
        return s;
      }
      case 'if_statement':
        s.cond = this.expr(s.cond);
        s.thenStmt = this.stmt(s.thenStmt) ?? { kind: 'null_statement', tok: s.thenStmt.tok };
        if (s.elseStmt) s.elseStmt = this.stmt(s.elseStmt);
        return s;
      case 'for_loop':
        if (s.init) s.init.value = this.expr(s.init.value);
        s.cond = this.expr(s.cond);
        if (s.incr) s.incr.value = this.expr(s.incr.value);
        s.body = this.stmt(s.body) ?? { kind: 'null_statement', tok: s.body.tok };
        return s;
      case 'foreach_loop':
        s.body = this.stmt(s.body) ?? { kind: 'null_statement', tok: s.body.tok };
        return s;
      case 'try_block':
        s.tryBlock = this.block(s.tryBlock);
        s.catchBlock = this.block(s.catchBlock);
        return s;
      case 'return_statement':
        if (s.value) s.value = this.expr(s.value);
        return s;
      default:
        return s;
    }
  }

  /** Rewrites `local = expr` to `expr` where the local is never read. */
  private expr(e: A.Expr): A.Expr {
    if (e.kind !== 'assignment') return e;
    e.right = this.expr(e.right);
    const sym = e.left.kind === 'symbol' ? e.left : e.left.kind === 'arrayindex' && e.left.base.kind === 'symbol' ? e.left.base : null;
    if (!sym) return e;
    const v = this.inp.bindings.vars.get(sym);
    if (!v || this.use.read.has(v) || this.globals.has(v) || v.scope === 'global') return e;
    if (!this.sideEffectFree(e.left)) return e;
    if (this.inp.isUserFile(e.left.tok.file.name)) this.inp.reporter.warning(`Eliding assignment to '${v.name}'`, e.tok);
    this.changed = true;
    return e.right;
  }

  private sideEffectFree(e: A.Expr): boolean {
    const u: Use = { read: new Set(), written: new Set(), effects: false };
    visitUse(e, this.inp.bindings, u, new Set());
    return u.written.size === 0 && !u.effects;
  }
}
