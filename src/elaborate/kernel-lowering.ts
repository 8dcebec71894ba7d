// Built-ins that kernel handlers express through others: `log(msg)` prints msg and a newline
// to the script's output, exactly what `println(msg)` does, which the kernel back end sends
// through the ring buffer in order with the rest of the output; `ansi_*(...)` (escape
// sequences) and `warn(msg)` (a WARNING line on stderr): as `printf("%s", call)` they become
// deferred print arguments (bpf/codegen/deferred.ts), made in user space in order with the rest.
// `$return` in syscall return probes names the tracepoint's `$ret`, as stap's DWARF probes have it.

import type * as A from '../parse/ast.js';
import { forEachChild, type Node } from '../parse/walk.js';
import type { DerivedProbe, Program } from './model.js';
import { replaceInPlace } from './clone.js';

export function lowerForKernel(p: Program, probes: DerivedProbe[]): void {
  const seen = new Set<A.FunctionDecl>();
  let returnIsRet = false;
  const visit = (n: Node): void => {
    // `$return` in a syscall return probe (stap's name, on sys_exit_*) is the tracepoint's $ret.
    if (n.kind === 'target_symbol' && n.name === '$return' && returnIsRet) {
      n.name = '$ret';
      return;
    }
    if (n.kind === 'functioncall') {
      const f = p.bindings.calls.get(n);
      if (f?.decl && !seen.has(f.decl)) {
        seen.add(f.decl);
        visit(f.decl.body);
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
    returnIsRet = /^(syscalls:sys_exit_\w+|raw_syscalls:sys_exit|sys_exit)$/.test(trace);
    visit(pr.body);
  }
}
