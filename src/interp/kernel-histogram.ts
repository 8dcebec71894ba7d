// print(@hist_log(s[k])) in a kernel handler: the record carries the keys; user space prints
// the histogram from the kernel's maps (every CPU's copy merged) when the record arrives,
// with the interpreter's own printing code. Events counted between the print and its
// record's arrival are included: the same snapshot stap would take a moment later.

import type { Program } from '../elaborate/model.js';
import type * as A from '../parse/ast.js';
import type { Compiler } from './compile-stmt.js';
import type { Value } from './values.js';

export function printKernelHistogram(program: Program, compiler: Compiler, e: A.PrintFormat, keys: Value[]): void {
  const h = e.hist!;
  const stat = h.stat;
  const literal = (v: Value): A.Expr => {
    const node: A.Expr = typeof v === 'string'
      // Only backslashes are escapes in a literal's raw text.
      ? { kind: 'literal_string', tok: stat.tok, value: v.replace(/\\/g, '\\\\') }
      : { kind: 'literal_number', tok: stat.tok, value: v };
    program.bindings.types.set(node, typeof v === 'string' ? 'string' : 'long');
    return node;
  };
  const at: A.Expr = stat.kind === 'arrayindex' ? { ...stat, indexes: keys.map(literal) } : stat;
  const print: A.PrintFormat = { ...e, hist: { ...h, stat: at } };
  compiler.expr(print)([]);
}
