// stap's semantic_pass_vars: an array may not be modified inside a `foreach` over it, neither
// directly nor through a function that writes it.

import { SemanticError } from '../diag/errors.js';
import type * as A from '../parse/ast.js';
import { forEachChild, type Node } from '../parse/walk.js';
import type { Bindings, DerivedProbe, Func, Var } from './model.js';

function baseVar(e: A.Expr, b: Bindings): Var | undefined {
  if (e.kind === 'arrayindex' && e.base.kind === 'symbol') return b.vars.get(e.base);
  return undefined;
}

/** The arrays each function writes directly (stap's mutated_var_collector). */
function mutatedBy(f: Func, b: Bindings): Set<Var> {
  const out = new Set<Var>();
  const visit = (node: Node): void => {
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
    forEachChild(node, visit);
  };
  if (f.decl) visit(f.decl.body);
  return out;
}

export function checkForeachMutation(probes: DerivedProbe[], functions: Func[], b: Bindings, report: (e: SemanticError) => void): void {
  // What a function writes, worked out for functions called inside a foreach only.
  const mutates = new Map<Func, Set<Var>>();
  const mutatedByOnce = (f: Func) => {
    let m = mutates.get(f);
    if (!m) mutates.set(f, m = f.intrinsic ? new Set() : mutatedBy(f, b));
    return m;
  };
  const iterated: Var[] = [];
  const lvalue = (e: A.Expr) => {
    const v = baseVar(e, b);
    if (v && iterated.includes(v)) report(new SemanticError('foreach:mutation', `variable '${v.name}' modified during 'foreach' iteration`, e.tok));
  };
  const visit = (node: Node): void => {
    switch (node.kind) {
      case 'foreach_loop': {
        const v = node.base.kind === 'symbol' ? b.vars.get(node.base) : undefined;
        if (v) iterated.push(v);
        forEachChild(node, visit);
        if (v) iterated.pop();
        return;
      }
      case 'assignment': if (iterated.length) lvalue(node.left); break;
      case 'pre_crement': case 'post_crement': if (iterated.length) lvalue(node.operand); break;
      case 'delete_statement': if (iterated.length) lvalue(node.value); break;
      case 'functioncall': {
        if (!iterated.length) break;
        const f = b.calls.get(node);
        for (const o of f?.overloads ?? []) {
          for (const v of iterated) {
            if (mutatedByOnce(o).has(v)) {
              report(new SemanticError('foreach:call-mutation', `function call modifies var '${v.name}' during 'foreach' iteration`, node.tok));
            }
          }
        }
        break;
      }
    }
    forEachChild(node, visit);
  };
  for (const f of functions) if (f.decl) visit(f.decl.body);
  for (const p of probes) visit(p.body);
}
