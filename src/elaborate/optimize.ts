// stap's pass-2 optimizations that users can see (skipped with -u), iterated until nothing
// changes, with warnings only from the first round (as stap): unused variables, assignments
// to never-read locals, side-effect-free expression statements, dead `if (0)` code, constant
// folding; afterwards probes left empty are elided with a warning.

import type { Reporter } from '../diag/reporter.js';
import type * as A from '../parse/ast.js';
import { forEachChild, type Node } from '../parse/walk.js';
import { foldConstants } from './fold.js';
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
  for (let iteration = 0; iteration < 50; iteration++) {
    const quiet = iteration > 0;
    const warn = (msg: string, tok: A.Expr['tok']) => {
      if (!quiet && inp.isUserFile(tok.file.name)) inp.reporter.warning(msg, tok);
    };
    let changed = false;

    // opt2: variables nobody reads or writes.
    const use = collectUse(probes, inp.bindings);
    const keep = (v: Var, scope: () => Var[]) => {
      if (use.read.has(v) || use.written.has(v)) {
        if (!use.written.has(v) && !quiet) {
          const sugs = suggest(v.name, scope().filter((x) => x !== v).map((x) => x.name), 5);
          inp.reporter.warning(`never-assigned local variable '${v.name}'${sugs ? ` (similar: ${sugs})` : ''}`, v.tok);
        }
        return true;
      }
      warn(`Eliding unused variable '${v.name}'`, v.tok);
      changed = true;
      return false;
    };
    for (const p of probes) p.locals = p.locals.filter((v) => keep(v, () => [...p.locals, ...globals]));
    for (const f of inp.functions) f.locals = f.locals.filter((v) => keep(v, () => [...f.params, ...f.locals, ...globals]));
    globals = globals.filter((v) => {
      if (use.read.has(v) || use.written.has(v)) {
        // As stap: a tapset's globals draw no warning (one its called functions never write).
        if (!use.written.has(v) && !v.init && !quiet && inp.isUserFile(v.tok.file.name)) {
          const sugs = suggest(v.name, globals.filter((g) => g !== v).map((g) => g.name), 5);
          inp.reporter.warning(`never-assigned global variable '${v.name}'${sugs ? ` (similar: ${sugs})` : ''}`, v.tok);
        }
        return true;
      }
      warn(`Eliding unused variable '${v.name}'`, v.tok);
      changed = true;
      return false;
    });

    // opt3: assignments to locals nobody reads; opt4: statements without effects.
    const bodies = (fn: (b: A.Block) => A.Block) => {
      for (const p of probes) p.body = fn(p.body);
      for (const f of inp.functions) if (f.decl && f.decl.body.kind === 'block') f.decl.body = fn(f.decl.body);
    };
    // Dropping unused variables changes no one's reads or writes: the same use sets serve.
    const rw = new Rewriter(inp, use, warn);
    bodies((b) => rw.deadAssignments(b));
    bodies((b) => rw.sideEffectFree(b));
    if (rw.changed) changed = true;

    // Constant folding and dead control flow (`if (0)`).
    bodies((b) => {
      const r = foldConstants(b);
      if (r.changed) changed = true;
      return r.block;
    });
    if (!changed) break;
  }
  const kept = probes.filter((p) => {
    if (p.body.statements.length > 0) return true;
    inp.reporter.warning(`Probe '${p.site.point.split('.')[0]!.replace(/\(.*$/, '')}' has been elided`, p.tok);
    return false;
  });
  return { probes: kept, globals };
}

export function collectUse(probes: DerivedProbe[], b: Bindings): Use {
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
    const sym = e.kind === 'symbol' ? e : e.kind === 'arrayindex' && e.base.kind === 'symbol' ? e.base : null;
    if (!sym) {
      visit(e);
      return;
    }
    const v = b.vars.get(sym);
    if (v) {
      use.written.add(v);
      if (read) use.read.add(v);
    }
    if (e.kind === 'arrayindex') for (const i of e.indexes) if (i) visit(i);
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
      target(n.value, true);
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
      for (const o of f.overloads) {
        if (seen.has(o) || !o.decl || o.decl.body.kind !== 'block') continue;
        seen.add(o);
        visit(o.decl.body);
      }
      return;
    }
    case 'print_format':
      if (n.stream) use.effects = true;
      forEachChild(n, visit);
      return;
    case 'embedded_expr': case 'embeddedcode': case 'next_statement': case 'return_statement':
      use.effects = true;
      if (n.kind === 'return_statement' && n.value) visit(n.value);
      return;
    default:
      forEachChild(n, visit);
  }
}

class Rewriter {
  changed = false;
  constructor(
    private readonly inp: OptimizeInput,
    private readonly use: Use,
    private readonly warn: (msg: string, tok: A.Expr['tok']) => void,
  ) {}

  /** opt3: `local = expr` becomes `expr` where the local is never read. */
  deadAssignments(b: A.Block): A.Block {
    mapExprs(b, (e) => this.assignment(e));
    return b;
  }

  private assignment(e: A.Expr): A.Expr {
    if (e.kind !== 'assignment') return e;
    const sym = e.left.kind === 'symbol' ? e.left : e.left.kind === 'arrayindex' && e.left.base.kind === 'symbol' ? e.left.base : null;
    if (!sym) return e;
    const v = this.inp.bindings.vars.get(sym);
    if (!v || this.use.read.has(v) || v.scope === 'global') return e;
    if (!this.effectFree(e.left)) return e;
    this.warn(`Eliding assignment to '${v.name}'`, e.tok);
    this.changed = true;
    return e.right;
  }

  /** opt4: expression statements that neither write nor output anything disappear. */
  sideEffectFree(b: A.Block): A.Block {
    const visit = (s: A.Stmt): A.Stmt | null => {
      switch (s.kind) {
        case 'block':
          s.statements = s.statements.map(visit).filter((x): x is A.Stmt => x !== null);
          return s;
        case 'expr_statement':
          if (!this.effectFree(s.value)) return s;
          this.warn('Eliding side-effect-free expression ', s.tok);
          this.changed = true;
          return null;
        case 'if_statement':
          s.thenStmt = visit(s.thenStmt) ?? { kind: 'null_statement', tok: s.thenStmt.tok };
          if (s.elseStmt) s.elseStmt = visit(s.elseStmt);
          return s;
        case 'for_loop': case 'foreach_loop':
          s.body = visit(s.body) ?? { kind: 'null_statement', tok: s.body.tok };
          return s;
        case 'try_block':
          visit(s.tryBlock);
          visit(s.catchBlock);
          return s;
        default:
          return s;
      }
    };
    visit(b);
    return b;
  }

  private effectFree(e: A.Expr): boolean {
    const u: Use = { read: new Set(), written: new Set(), effects: false };
    visitUse(e, this.inp.bindings, u, new Set());
    return u.written.size === 0 && !u.effects;
  }
}

/** Replaces, bottom-up, every expression directly held by a statement in `s`. */
export function mapExprs(s: A.Stmt, fn: (e: A.Expr) => A.Expr): void {
  switch (s.kind) {
    case 'block': for (const x of s.statements) mapExprs(x, fn); return;
    case 'expr_statement': s.value = mapExpr(s.value, fn); return;
    case 'if_statement':
      s.cond = mapExpr(s.cond, fn);
      mapExprs(s.thenStmt, fn);
      if (s.elseStmt) mapExprs(s.elseStmt, fn);
      return;
    case 'for_loop':
      if (s.init) s.init.value = mapExpr(s.init.value, fn);
      s.cond = mapExpr(s.cond, fn);
      if (s.incr) s.incr.value = mapExpr(s.incr.value, fn);
      mapExprs(s.body, fn);
      return;
    case 'foreach_loop':
      if (s.limit) s.limit = mapExpr(s.limit, fn);
      mapExprs(s.body, fn);
      return;
    case 'try_block': mapExprs(s.tryBlock, fn); mapExprs(s.catchBlock, fn); return;
    case 'return_statement': if (s.value) s.value = mapExpr(s.value, fn); return;
    default: return;
  }
}

/** Applies `fn` to `e`'s operands first, then to `e`. */
function mapExpr(e: A.Expr, fn: (e: A.Expr) => A.Expr): A.Expr {
  const rec = e as unknown as Record<string, unknown>;
  for (const key of ['left', 'right', 'operand', 'cond', 'truevalue', 'falsevalue']) {
    const c = rec[key];
    if (c !== null && typeof c === 'object' && 'kind' in c) rec[key] = mapExpr(c as A.Expr, fn);
  }
  if (e.kind === 'functioncall' || e.kind === 'print_format') e.args = e.args.map((a) => mapExpr(a, fn));
  if (e.kind === 'arrayindex') e.indexes = e.indexes.map((i) => (i ? mapExpr(i, fn) : null));
  return fn(e);
}
