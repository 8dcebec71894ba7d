// @entry(expr) in return probes: the value expr had when the call began. As stap does with a
// kretprobe's entry handler, a synthesized probe on the matching entry point saves the value
// in a global keyed by thread; the return probe reads it there and deletes it.

import { SemanticError } from '../diag/errors.js';
import type * as A from '../parse/ast.js';
import { printExpr } from '../parse/printer.js';
import { forEachChild, type Node } from '../parse/walk.js';
import { replaceInPlace } from './clone.js';
import type { ProbeSite } from './model.js';

/** The entry point of a return site, or null if the site is not a return probe. */
export function entryPointOf(site: ProbeSite): string | null {
  const trace = site.family === 'kernel.trace' ? String(site.params['trace'] ?? '') : '';
  let m = /^syscalls:sys_exit_(\w+)$/.exec(trace);
  if (m) return `kernel.trace("syscalls:sys_enter_${m[1]}")`;
  if (trace === 'raw_syscalls:sys_exit' || trace === 'sys_exit') return 'kernel.trace("raw_syscalls:sys_enter")';
  m = /^kernel\.function\("([^"]+)"\)\.return$/.exec(site.point);
  if (site.family === 'kernel.function.return' && m) return `kernel.function("${m[1]}")`;
  return null;
}

export class EntryValues {
  /** Holds the saved values' global declarations (visible to the resolver like a user file). */
  readonly file: A.StapFile = { name: '<entry>', privileged: true, synthetic: true, embeds: [], globals: [], aliases: [], probes: [], functions: [] };
  private count = 0;

  constructor(private readonly synthesize: (code: string, tok: A.Expr['tok']) => A.Probe | null) {}

  /**
   * Rewrites every @entry(e) of a derived body into `__entry_N[tid()]`, deletes the saved value
   * at the end of the body, and returns the entry probes that save them.
   */
  rewrite(body: A.Block, site: ProbeSite, tok: A.Expr['tok']): A.Probe[] {
    const ops: A.EntryOp[] = [];
    const find = (n: Node): void => {
      if (n.kind === 'entry_op') ops.push(n);
      forEachChild(n, find);
    };
    find(body);
    if (ops.length === 0) return [];
    const entry = entryPointOf(site);
    if (!entry) throw new SemanticError('entry:notreturn', '@entry is allowed only in return probes', ops[0]!.tok);
    const probes: A.Probe[] = [];
    for (const op of ops) {
      const name = `__entry_${++this.count}`;
      this.file.globals.push({ tok: op.tok, name, type: 'unknown' as A.VarDecl['type'], private: false, wrap: false, maxSize: 0, init: null, systemtapV: null });
      const p = this.synthesize(`probe ${entry} { ${name}[tid()] = ${printExpr(op.operand)} }`, op.tok);
      if (p) probes.push(p);
      const saved = (): A.Expr => ({
        kind: 'arrayindex', tok: op.tok, base: { kind: 'symbol', tok: op.tok, name } as A.Expr, indexes: [{ kind: 'functioncall', tok: op.tok, name: 'tid', args: [] } as A.Expr],
      } as A.Expr);
      replaceInPlace(op, saved());
      body.statements.push({ kind: 'delete_statement', tok, value: saved() } as A.Stmt);
    }
    return probes;
  }
}
