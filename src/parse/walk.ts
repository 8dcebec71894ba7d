// The child table of the AST: every expression and statement's direct children, in
// evaluation order. Passes that only care about some node kinds walk with this.

import * as A from './ast.js';

export type Node = A.Expr | A.Stmt;

/** Calls `fn` on each direct child of `n` (expressions and statements). */
export function forEachChild(n: Node, fn: (c: Node) => void): void {
  switch (n.kind) {
    case 'literal_number': case 'literal_string': case 'embedded_expr': case 'symbol': case 'probewrite_op':
    case 'target_register': case 'atvar_op': case 'target_symbol':
      if (n.kind === 'target_symbol' || n.kind === 'atvar_op') componentChildren(n.components, fn);
      return;
    case 'binary': case 'logical': case 'comparison': case 'concat': case 'assignment':
      fn(n.left);
      fn(n.right);
      return;
    case 'regex_query':
      fn(n.left);
      fn(n.right);
      return;
    case 'unary': case 'pre_crement': case 'post_crement': case 'defined_op': case 'entry_op':
      fn(n.operand);
      return;
    case 'perf_op':
      fn(n.operand);
      return;
    case 'ternary':
      fn(n.cond);
      fn(n.truevalue);
      fn(n.falsevalue);
      return;
    case 'stat_op': case 'hist_op':
      fn(n.stat);
      return;
    case 'arrayindex':
      fn(n.base);
      for (const i of n.indexes) if (i) fn(i);
      return;
    case 'array_in':
      fn(n.operand);
      return;
    case 'functioncall':
      for (const a of n.args) fn(a);
      return;
    case 'print_format':
      if (n.hist) fn(n.hist);
      for (const a of n.args) fn(a);
      return;
    case 'cast_op': case 'autocast_op':
      fn(n.operand);
      componentChildren(n.components, fn);
      return;
    case 'target_deref':
      fn(n.addr);
      return;
    case 'block':
      for (const s of n.statements) fn(s);
      return;
    case 'embeddedcode': case 'null_statement': case 'next_statement': case 'break_statement': case 'continue_statement':
      return;
    case 'try_block':
      fn(n.tryBlock);
      if (n.catchVar) fn(n.catchVar);
      fn(n.catchBlock);
      return;
    case 'for_loop':
      if (n.init) fn(n.init);
      fn(n.cond);
      if (n.incr) fn(n.incr);
      fn(n.body);
      return;
    case 'foreach_loop':
      if (n.value) fn(n.value);
      for (const i of n.indexes) fn(i);
      fn(n.base);
      for (const s of n.arraySlice) if (s) fn(s);
      if (n.limit) fn(n.limit);
      fn(n.body);
      return;
    case 'expr_statement':
      fn(n.value);
      return;
    case 'return_statement':
      if (n.value) fn(n.value);
      return;
    case 'delete_statement':
      fn(n.value);
      return;
    case 'if_statement':
      fn(n.cond);
      fn(n.thenStmt);
      if (n.elseStmt) fn(n.elseStmt);
      return;
    default:
      A.assertNever(n);
  }
}

function componentChildren(cs: A.TargetComponent[], fn: (c: Node) => void): void {
  for (const c of cs) if (c.type === 'expr_index') fn(c.index);
}

/** Visits `n` and all its descendants, parents first. */
export function walk(n: Node, fn: (c: Node) => void): void {
  fn(n);
  forEachChild(n, (c) => walk(c, fn));
}
