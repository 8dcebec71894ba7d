// stap checks a loop-free handler against MAXACTION once, before it runs: the statements it
// could execute at most (following calls) are counted at translation time.

import type * as A from '../parse/ast.js';
import { isBuiltinBody, type Func, type Program } from './model.js';

/** Statements a loop-free body runs at most (following calls), or null if it loops or recurses. */
export function straightLineCount(program: Program, body: A.Stmt): number | null {
  let n = 0;
  let finite = true;
  const seen = new Set<Func>();
  const visit = (x: unknown): void => {
    if (!finite || x === null || typeof x !== 'object') return;
    const node = x as { kind?: string };
    if (node.kind === 'for_loop' || node.kind === 'foreach_loop') {
      finite = false;
      return;
    }
    if (node.kind === 'expr_statement' || node.kind === 'if_statement' || node.kind === 'return_statement' || node.kind === 'delete_statement') n++;
    if (node.kind === 'functioncall') {
      const fn = program.bindings.calls.get(x as A.FunctionCall);
      // A built-in's script body (tapset bpf-*.stp) costs nothing, as stap's native built-ins.
      if (fn && isBuiltinBody(fn)) return;
      if (fn?.decl) {
        if (seen.has(fn)) {
          finite = false;
          return;
        }
        seen.add(fn);
        visit(fn.decl.body);
        seen.delete(fn);
      }
    }
    for (const [k, v] of Object.entries(x)) if (k !== 'tok') visit(v);
  };
  visit(body);
  return finite ? n : null;
}
