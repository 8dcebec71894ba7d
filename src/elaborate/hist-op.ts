// Which histogram a statistic keeps is decided by the @hist_log/@hist_linear applied to it
// anywhere in the program; both back ends size and fill its buckets from that one operator.

import type * as A from '../parse/ast.js';
import type { Program, Var } from './model.js';

/** The first @hist_* operator applied to statistic `v` (in probes or functions), if any. */
export function histOpOf(program: Program, v: Var): A.HistOp | null {
  let found: A.HistOp | null = null;
  const visit = (n: unknown): void => {
    if (found || n === null || typeof n !== 'object') return;
    const node = n as { kind?: string; stat?: A.Expr };
    if (node.kind === 'hist_op' && node.stat) {
      const s = node.stat;
      const sym = s.kind === 'symbol' ? s : s.kind === 'arrayindex' && s.base.kind === 'symbol' ? s.base : null;
      if (sym && program.bindings.vars.get(sym) === v) {
        found = n as A.HistOp;
        return;
      }
    }
    for (const [k, x] of Object.entries(n)) if (k !== 'tok') visit(x);
  };
  for (const p of program.probes) visit(p.body);
  for (const f of program.functions) if (f.decl) visit(f.decl.body);
  return found;
}
