// Built-ins that kernel handlers express through others: `log(msg)` prints msg and a newline
// to the script's output, exactly what `println(msg)` does, which the kernel back end sends
// through the ring buffer in order with the rest of the output.

import type * as A from '../parse/ast.js';
import { forEachChild, type Node } from '../parse/walk.js';
import type { DerivedProbe, Program } from './model.js';

export function lowerForKernel(p: Program, probes: DerivedProbe[]): void {
  const seen = new Set<A.FunctionDecl>();
  const visit = (n: Node): void => {
    if (n.kind === 'functioncall') {
      const f = p.bindings.calls.get(n);
      if (f?.decl && !seen.has(f.decl)) {
        seen.add(f.decl);
        visit(f.decl.body);
      }
      if (f?.intrinsic && n.name === 'log' && n.args.length === 1) {
        const println: A.PrintFormat = {
          kind: 'print_format', tok: n.tok, name: 'println', stream: true, withFormat: false, withDelim: false,
          withNewline: true, isChar: false, format: null, delimiter: null, hist: null, args: n.args,
        };
        const node = n as unknown as Record<string, unknown>;
        for (const k of Object.keys(node)) delete node[k];
        Object.assign(node, println);
        return;
      }
    }
    forEachChild(n, visit);
  };
  for (const pr of probes) visit(pr.body);
}
