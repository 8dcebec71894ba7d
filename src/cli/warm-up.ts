// Run while the startup snapshot is built (main.ts prepareSnapshot): passes 1-4 of a small
// script touching most of the language, so the parser, elaborator, optimizer and eBPF code
// generator are compiled to bytecode in the snapshot's heap rather than at each start (V8
// compiles a function when first called: ~8 ms of a 10-probe script's start-up).
//
// Nothing of this machine may stay behind in the snapshot: no BTF (getBtf gives null), no CPU
// count, no tracefs or koffi (begin/end handlers compile to BPF_PROG_TEST_RUN programs, which
// need neither).

import { compileKernel } from '../bpf/codegen/compile.js';
import { Reporter } from '../diag/reporter.js';
import { lowerForKernel } from '../elaborate/kernel-lowering.js';
import { pruneDeadComputations } from '../elaborate/prune-dead.js';
import { defaultParseEnv } from '../parse/env.js';
import { parseOptions } from './options.js';
import { runPass1 } from './pass1.js';
import { runPass2 } from './passes.js';

const SCRIPT = `global n, s, a, t
function f(x) { return x + 1 }
function g:string(s:string) { return sprintf("%s-%d", s, strlen(s)) }
probe begin {
  n = f(1); a["x", 1] = 2; a["y", 2] += 3; s <<< 3; t .= g("x")
  printf("%d %s %5.2s\\n", n, "x", t)
  for (i = 0; i < 3; i++) if (["x", i] in a || i > 1) n++; else continue
  while (n < 10) { n *= 2; if (n % 3 == 0) break }
}
probe end {
  foreach ([k, j] in a- limit 3) println(k, j, a[k, j])
  print(@hist_log(s)); println(@count(s), @avg(s))
  try { error("x") } catch (e) { println(e) }
  delete a; if (n > 1 && t != "") exit()
}`;

/** Returns how many programs were generated (the test checks the warm-up did its work). */
export function warmUp(tapsetDir: string): number {
  const o = parseOptions(['-p4', '--runtime=bpf', '-e', SCRIPT]);
  const env = defaultParseEnv(new Reporter(() => {}), { args: [], guru: false, privilege: 'stapdev' });
  const p1 = runPass1(o, env, [tapsetDir]);
  const program = p1.rc === 0 ? runPass2(p1.userFiles, env, [tapsetDir], o) : null;
  if (!program) return 0;
  pruneDeadComputations(program, program.probes);
  lowerForKernel(program, program.probes);
  const k = compileKernel(program, () => null, 2048, 1000, { userHandlersInKernel: true, maxActionUser: 10000, maxStringLen: 512, possibleCpus: 1 });
  return k?.spec.programs.length ?? 0;
}
