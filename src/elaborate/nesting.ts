// stap's default MAXNESTING: the deepest chain of function calls from any probe, plus one,
// plus ten more if any function is (directly or mutually) recursive (translate.cxx).

import type * as A from '../parse/ast.js';
import type { Func, Program } from './model.js';

export function defaultMaxNesting(p: Program): number {
  let max = 0;
  let recursive = false;
  const stack: Func[] = [];
  const visit = (n: unknown): void => {
    if (n === null || typeof n !== 'object') return;
    const node = n as Record<string, unknown> & { kind?: string };
    for (const [k, x] of Object.entries(node)) if (k !== 'tok') visit(x);
    if (node.kind !== 'functioncall') return;
    const f = p.bindings.calls.get(n as A.FunctionCall);
    if (!f || !f.decl || f.intrinsic) return;
    max = Math.max(max, stack.length + 1);
    if (stack.includes(f)) {
      recursive = true;
      return;
    }
    stack.push(f);
    visit(f.decl.body);
    stack.pop();
  };
  for (const pr of p.probes) visit(pr.body);
  return max + 1 + (recursive ? 10 : 0);
}
