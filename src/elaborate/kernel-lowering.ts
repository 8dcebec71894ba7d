// Built-ins that kernel handlers express through others: `log(msg)` prints msg and a newline
// to the script's output, exactly what `println(msg)` does, which the kernel back end sends
// through the ring buffer in order with the rest of the output; `ansi_*(...)` (escape
// sequences) and `warn(msg)` (a WARNING line on stderr): as `printf("%s", call)` they become
// deferred print arguments (bpf/codegen/deferred.ts), made in user space in order with the rest.
// `$return` in syscall return probes names the tracepoint's `$ret`, as stap's DWARF probes have it.
// Built-ins the interpreter implements natively and kernel handlers through script code: a call
// of X is bound to the library's `__bpf_X` (tapset/bpf-bodies.stp, written in the language and
// compiled like any script function), except as a print argument user space computes
// (bpf/codegen/deferred.ts: in a handler's own code, outside try), which costs the handler
// nothing. In a function's body such a call is always bound: the function may be called from
// inside a try, where nothing is deferred.

import type * as A from '../parse/ast.js';
import { forEachChild, type Node } from '../parse/walk.js';
import type { DerivedProbe, Program } from './model.js';
import { replaceInPlace } from './clone.js';
import { isDeferred } from '../bpf/codegen/deferred.js';

/** Whether `kernel.trace` spec `trace` is a syscall exit (where stap's `$return` is `$ret`). */
export function isSyscallExit(trace: string): boolean {
  return /^(syscalls:sys_exit_\w+|raw_syscalls:sys_exit|sys_exit)$/.test(trace);
}

export function lowerForKernel(p: Program, probes: DerivedProbe[]): void {
  const seen = new Set<A.FunctionDecl>();
  let returnIsRet = false;
  /** Whether the code visited is a handler's own, outside try (where print arguments may be deferred). */
  let deferring = true;
  const deferred = new Set<A.FunctionCall>();
  const visitWith = (n: Node, defer: boolean): void => {
    const outer = deferring;
    deferring = defer;
    visit(n);
    deferring = outer;
  };
  const visit = (n: Node): void => {
    if (n.kind === 'try_block') {
      visitWith(n.tryBlock, false);
      if (n.catchVar) visit(n.catchVar);
      visit(n.catchBlock);
      return;
    }
    if (n.kind === 'print_format' && n.stream && deferring) {
      for (const x of n.args) if (x.kind === 'functioncall' && isDeferred(x, p)) deferred.add(x);
    }
    // `$return` in a syscall return probe (stap's name, on sys_exit_*) is the tracepoint's $ret.
    if (n.kind === 'target_symbol' && n.name === '$return' && returnIsRet) {
      n.name = '$ret';
      return;
    }
    if (n.kind === 'functioncall') {
      const f = p.bindings.calls.get(n);
      if (f?.decl && !seen.has(f.decl)) {
        seen.add(f.decl);
        visitWith(f.decl.body, false);
      }
      const body = f?.intrinsic && !deferred.has(n) ? p.libraryFunction?.(`__bpf_${n.name}`, n.args.length, n.tok) : null;
      if (body) {
        p.bindings.calls.set(n, body);
        visit(n);
        return;
      }
      if (f?.intrinsic && n.name === 'log' && n.args.length === 1) {
        replaceInPlace(n, {
          kind: 'print_format', tok: n.tok, name: 'println', stream: true, withFormat: false, withDelim: false,
          withNewline: true, isChar: false, format: null, delimiter: null, hist: null, args: n.args,
        });
        return;
      }
      if (f?.intrinsic && (n.name.startsWith('ansi_') || n.name === 'warn')) {
        const call: A.FunctionCall = { ...n };
        p.bindings.calls.set(call, f);
        replaceInPlace(n, {
          kind: 'print_format', tok: n.tok, name: 'printf', stream: true, withFormat: true, withDelim: false,
          withNewline: false, isChar: false, format: '%s', delimiter: null, hist: null, args: [call],
        });
        return;
      }
    }
    forEachChild(n, visit);
  };
  for (const pr of probes) {
    const trace = pr.site.family === 'kernel.trace' ? String(pr.site.params['trace'] ?? '') : '';
    returnIsRet = isSyscallExit(trace);
    visit(pr.body);
  }
}
