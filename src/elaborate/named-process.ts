// process("PATH") and process(PID) with .begin, .end, .thread.begin, .thread.end: stap's utrace
// probe points for one program or process, rebuilt on the lifecycle tapset. The point becomes
// the tapset's internal aliases (tapset/linux/process.stp) and the handler is guarded by the
// match: the executable's inode (and device) for PATH, found when the script is elaborated, or
// the process id for PID.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SemanticError } from '../diag/errors.js';
import type * as A from '../parse/ast.js';

const TARGETS: Record<string, string[]> = {
  'begin': ['__process_fork.begin', '__process_exec.begin'],
  'thread.begin': ['__process_fork.thread_begin'],
  'end': ['__process_exit.end'],
  'thread.end': ['__process_exit.thread_end'],
};

/** The alias points and the guard statement for a named process point; null for other points. */
export function namedProcess(pp: A.ProbePoint): { points: A.ProbePoint[]; guard: A.Stmt } | null {
  const [head, ...rest] = pp.components;
  if (!head || head.functor !== 'process' || !head.arg || rest.some((c) => c.arg)) return null;
  const targets = TARGETS[rest.map((c) => c.functor).join('.')];
  if (!targets) return null;
  const tok = head.tok;
  const num = (value: bigint): A.LiteralNumber => ({ kind: 'literal_number', tok, value });
  const call = (name: string, args: A.Expr[]): A.FunctionCall => ({ kind: 'functioncall', tok, name, args });
  const match: A.Expr = head.arg.kind === 'literal_number'
    ? { kind: 'comparison', tok, op: '==', left: call('pid', []), right: num(head.arg.value) }
    : call('__proc_exe_is', exeIdentity(head.arg.value, head).map(num));
  const guard: A.IfStatement = {
    kind: 'if_statement', tok, cond: { kind: 'unary', tok, op: '!', operand: match }, thenStmt: { kind: 'next_statement', tok }, elseStmt: null,
  };
  const points = targets.map((t): A.ProbePoint => ({
    ...pp, components: t.split('.').map((functor) => ({ tok, functor, arg: null })),
  }));
  return { points, guard };
}

/**
 * [inode, device] of the executable `name` as the kernel's struct inode holds them (i_ino and
 * i_sb->s_dev, whose encoding is MAJOR << 20 | MINOR, not stat's). A name without a slash is
 * looked up in $PATH, as stap does.
 */
function exeIdentity(name: string, at: A.ProbePointComponent): [bigint, bigint] {
  const candidates = name.includes('/') ? [name] : (process.env['PATH'] ?? '').split(':').filter(Boolean).map((d) => path.join(d, name));
  for (const file of candidates) {
    try {
      const st = fs.statSync(file, { bigint: true });
      if (!st.isFile()) continue;
      const major = ((st.dev >> 8n) & 0xfffn) | ((st.dev >> 32n) & ~0xfffn);
      const minor = (st.dev & 0xffn) | ((st.dev >> 12n) & ~0xffn);
      return [st.ino, (major << 20n) | minor];
    } catch {
      // try the next one
    }
  }
  throw new SemanticError('process:path', `cannot find executable '${name}'`, at.tok);
}
