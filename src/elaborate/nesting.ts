// stap's default MAXNESTING: the deepest chain of function calls from any probe, plus one,
// plus ten more if any function is (directly or mutually) recursive (translate.cxx).

import type * as A from '../parse/ast.js';
import { forEachChild, type Node } from '../parse/walk.js';
import type { Func, Program } from './model.js';

const cache = new WeakMap<Program, number>();

export function defaultMaxNesting(p: Program): number {
  const known = cache.get(p);
  if (known !== undefined) return known;
  let recursive = false;
  // Deepest call chain starting with a call of f (1 for a leaf); memoized per function.
  const depthOf = new Map<Func, number>();
  const active = new Set<Func>();
  const callsIn = (n: Node, deepest: { d: number }): void => {
    if (n.kind === 'functioncall') {
      const f = p.bindings.calls.get(n as A.FunctionCall);
      if (f && f.decl && !f.intrinsic) deepest.d = Math.max(deepest.d, chain(f));
    }
    forEachChild(n, (c) => callsIn(c, deepest));
  };
  const chain = (f: Func): number => {
    if (active.has(f)) {
      // The recursive call is one more level (as stap counts it), and the chain stops there.
      recursive = true;
      return 1;
    }
    const memo = depthOf.get(f);
    if (memo !== undefined) return memo;
    active.add(f);
    const deepest = { d: 0 };
    if (f.decl) callsIn(f.decl.body, deepest);
    active.delete(f);
    depthOf.set(f, deepest.d + 1);
    return deepest.d + 1;
  };
  const top = { d: 0 };
  for (const pr of p.probes) callsIn(pr.body, top);
  const result = top.d + 1 + (recursive ? 10 : 0);
  cache.set(p, result);
  return result;
}
