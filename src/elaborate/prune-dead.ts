// Computations whose results nobody reads, removed from kernel probe bodies before code
// generation. Tapset aliases compute every variable a script might want (`argstr` decodes
// flags and quotes paths); a handler that uses none of them must not pay for them on every
// event. stap elides such assignments too when the right side is pure; this pass runs after
// pass 2 (so `-p2` output and stap's elision warnings are untouched) and only drops what is
// free of effects: no writes except to the called functions' own locals, no output, no exit.

import type * as A from '../parse/ast.js';
import { forEachChild, type Node } from '../parse/walk.js';
import type { Bindings, DerivedProbe, Func, Program, Var } from './model.js';

/** Built-ins with effects (or state): never dropped. Every other built-in is a pure function. */
const IMPURE = /^(exit|abort|error|warn|log|printk|assert|print_.*|ansi_.*|indent|thread_indent|tokenize|.*stopwatch|set_.*|system|raise|randint)$/;

export function pruneDeadComputations(p: Program, probes: DerivedProbe[]): void {
  const purity = new Purity(p.bindings);
  for (const probe of probes) {
    for (let round = 0; round < 20; round++) {
      const read = readsOf(probe, p.bindings);
      let changed = false;
      const keep = (s: A.Stmt): boolean => {
        if (s.kind !== 'expr_statement') return true;
        const e = s.value;
        if (e.kind === 'assignment' && e.op === '=' && e.left.kind === 'symbol') {
          const v = p.bindings.vars.get(e.left);
          if (!v || v.scope === 'global' || read.has(v) || !purity.expr(e.right)) return true;
        } else if (!purity.expr(e)) return true;
        changed = true;
        return false;
      };
      filterStatements(probe.body, keep);
      if (!changed) break;
    }
  }
}

/** Locals and globals `probe` reads (a plain `x = ...` writes x without reading it). */
function readsOf(probe: DerivedProbe, b: Bindings): Set<Var> {
  const read = new Set<Var>();
  const visit = (n: Node): void => {
    if (n.kind === 'assignment' && n.op === '=' && n.left.kind === 'symbol') {
      visit(n.right);
      return;
    }
    if (n.kind === 'symbol') {
      const v = b.vars.get(n);
      if (v) read.add(v);
      return;
    }
    forEachChild(n, visit);
  };
  visit(probe.body);
  if (probe.condition) visit(probe.condition);
  return read;
}

/**
 * Drops the statements `keep` refuses, and then `if`s left with nothing to do (their condition
 * still has to pass `keep`, as an expression statement).
 */
function filterStatements(s: A.Stmt, keep: (s: A.Stmt) => boolean): A.Stmt | null {
  const sub = (x: A.Stmt): A.Stmt => filterStatements(x, keep) ?? { kind: 'null_statement', tok: x.tok };
  switch (s.kind) {
    case 'block':
      s.statements = s.statements.map((x) => filterStatements(x, keep)).filter((x): x is A.Stmt => x !== null);
      return s;
    case 'expr_statement':
      return keep(s) ? s : null;
    case 'if_statement': {
      s.thenStmt = sub(s.thenStmt);
      if (s.elseStmt) s.elseStmt = sub(s.elseStmt);
      const idle = (x: A.Stmt | null) => !x || x.kind === 'null_statement' || (x.kind === 'block' && x.statements.length === 0);
      if (idle(s.thenStmt) && idle(s.elseStmt) && !keep({ kind: 'expr_statement', tok: s.tok, value: s.cond })) return null;
      return s;
    }
    case 'for_loop': case 'foreach_loop':
      s.body = sub(s.body);
      return s;
    case 'try_block':
      s.tryBlock = sub(s.tryBlock) as A.Block;
      s.catchBlock = sub(s.catchBlock) as A.Block;
      return s;
    default:
      return s;
  }
}

/** Whether evaluating an expression (or running a function) can be skipped with no trace. */
class Purity {
  private readonly funcs = new Map<Func, boolean>();
  constructor(private readonly b: Bindings) {}

  expr(e: Node, own: ReadonlySet<Var> = new Set()): boolean {
    let pure = true;
    const visit = (n: Node): void => {
      if (!pure) return;
      switch (n.kind) {
        case 'assignment': case 'pre_crement': case 'post_crement': {
          const t = n.kind === 'assignment' ? n.left : n.operand;
          const v = t.kind === 'symbol' ? this.b.vars.get(t) : undefined;
          if (!v || !own.has(v)) pure = false;
          break;
        }
        case 'delete_statement': case 'next_statement': case 'embedded_expr': case 'embeddedcode':
          pure = false;
          return;
        case 'print_format':
          if (n.stream) pure = false;
          break;
        case 'functioncall': {
          const f = this.b.calls.get(n);
          if (!f || !this.func(f)) pure = false;
          break;
        }
        case 'foreach_loop':
          // Its index variables are written: fine when they are the function's own.
          for (const i of n.indexes) if (!own.has(this.b.vars.get(i)!)) pure = false;
          break;
      }
      forEachChild(n, visit);
    };
    visit(e);
    return pure;
  }

  private func(f: Func): boolean {
    if (!f.decl) return !IMPURE.test(f.name);
    const known = this.funcs.get(f);
    if (known !== undefined) return known;
    this.funcs.set(f, false); // recursion: assume the worst
    const own = new Set([...f.params, ...f.locals]);
    const pure = f.overloads.every((o) => o.decl !== null && this.expr(o.decl.body, new Set([...own, ...o.params, ...o.locals])));
    this.funcs.set(f, pure);
    return pure;
  }
}
