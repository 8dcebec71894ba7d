// stap's semantic_pass_vars: an array may not be modified inside a `foreach` over it, neither
// directly nor through a function that writes it.

import { SemanticError } from '../diag/errors.js';
import type * as A from '../parse/ast.js';
import type { Bindings, DerivedProbe, Func, Var } from './model.js';

function baseVar(e: A.Expr, b: Bindings): Var | undefined {
  if (e.kind === 'arrayindex' && e.base.kind === 'symbol') return b.vars.get(e.base);
  return undefined;
}

/** The arrays each function writes directly (stap's mutated_var_collector). */
function mutatedBy(f: Func, b: Bindings): Set<Var> {
  const out = new Set<Var>();
  const visit = (n: unknown): void => {
    if (n === null || typeof n !== 'object') return;
    const node = n as A.Expr | A.Stmt;
    if (node.kind === 'assignment') {
      const v = baseVar(node.left, b);
      if (v) out.add(v);
    } else if (node.kind === 'pre_crement' || node.kind === 'post_crement') {
      const v = baseVar(node.operand, b);
      if (v) out.add(v);
    } else if (node.kind === 'delete_statement') {
      const v = baseVar(node.value, b) ?? (node.value.kind === 'symbol' ? b.vars.get(node.value) : undefined);
      if (v) out.add(v);
    }
    for (const [k, x] of Object.entries(node)) if (k !== 'tok') visit(x);
  };
  if (f.decl) visit(f.decl.body);
  return out;
}

export function checkForeachMutation(probes: DerivedProbe[], functions: Func[], b: Bindings, report: (e: SemanticError) => void): void {
  const mutates = new Map(functions.filter((f) => !f.intrinsic).map((f) => [f, mutatedBy(f, b)]));
  const iterated: Var[] = [];
  const lvalue = (e: A.Expr) => {
    const v = baseVar(e, b);
    if (v && iterated.includes(v)) report(new SemanticError('foreach:mutation', `variable '${v.name}' modified during 'foreach' iteration`, e.tok));
  };
  const visit = (n: unknown): void => {
    if (n === null || typeof n !== 'object') return;
    const node = n as A.Expr | A.Stmt;
    switch (node.kind) {
      case 'foreach_loop': {
        const v = node.base.kind === 'symbol' ? b.vars.get(node.base) : undefined;
        if (v) iterated.push(v);
        for (const [k, x] of Object.entries(node)) if (k !== 'tok') visit(x);
        if (v) iterated.pop();
        return;
      }
      case 'assignment': lvalue(node.left); break;
      case 'pre_crement': case 'post_crement': lvalue(node.operand); break;
      case 'delete_statement': lvalue(node.value); break;
      case 'functioncall': {
        const f = b.calls.get(node);
        for (const o of f?.overloads ?? []) {
          for (const v of iterated) {
            if (mutates.get(o)?.has(v)) {
              report(new SemanticError('foreach:call-mutation', `function call modifies var '${v.name}' during 'foreach' iteration`, node.tok));
            }
          }
        }
        break;
      }
    }
    for (const [k, x] of Object.entries(node)) if (k !== 'tok') visit(x);
  };
  for (const f of functions) if (f.decl) visit(f.decl.body);
  for (const p of probes) visit(p.body);
}
