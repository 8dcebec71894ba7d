// Pass 4 for kernel probes: decides which globals live in kernel maps, generates one eBPF
// program per kernel probe handler, and returns the loadable spec (plus what user space needs
// to interpret the records).

import { planRegexes } from './regex-plan.js';
import { SemanticError } from '../../diag/errors.js';
import type * as A from '../../parse/ast.js';
import type { DerivedProbe, Program, Var } from '../../elaborate/model.js';
import { PROBE_FAMILIES } from '../../elaborate/probe-families.js';
import type { Btf } from '../../runtime/meta/btf.js';
import { LOG_BUCKETS } from '../../format/stats.js';
import type { KernelSpec } from '../spec.js';
import { histSpecOf, ProbeGen, Records } from './gen.js';
import { KernelLayout } from './layout.js';
import { KSTR_MIN } from './kstrings.js';
import { resolveTarget, type FunctionAttach } from './targets.js';

export interface KernelBuild {
  spec: KernelSpec;
  layout: KernelLayout;
  /** Print calls referenced by printf records (index = RecordKind.call). */
  printCalls: A.PrintFormat[];
  kernelProbes: Set<DerivedProbe>;
}

export function isKernelProbe(p: DerivedProbe): boolean {
  return PROBE_FAMILIES.find((f) => f.id === p.site.family)?.context === 'kernel';
}

/** Globals referenced by the kernel handlers, directly or through the functions they call. */
function sharedGlobals(p: Program, probes: DerivedProbe[]): Var[] {
  const out = new Set<Var>();
  const seen = new Set<unknown>();
  const visit = (n: unknown): void => {
    if (n === null || typeof n !== 'object') return;
    const node = n as { kind?: string };
    if (node.kind === 'symbol') {
      const v = p.bindings.vars.get(n as A.SymbolExpr);
      if (v?.scope === 'global') out.add(v);
    } else if (node.kind === 'functioncall') {
      const decl = p.bindings.calls.get(n as A.FunctionCall)?.decl;
      if (decl && !seen.has(decl)) {
        seen.add(decl);
        visit(decl.body);
      }
    }
    for (const [k, x] of Object.entries(n)) if (k !== 'tok') visit(x);
  };
  for (const pr of probes) {
    visit(pr.body);
    visit(pr.condition);
  }
  return p.globals.filter((g) => out.has(g));
}

export interface KernelOptions {
  /**
   * --runtime=bpf: begin and end handlers are compiled to eBPF too and run with
   * BPF_PROG_TEST_RUN; every global lives in maps. A handler using a construct the kernel
   * back end lacks stays with the interpreter.
   */
  userHandlersInKernel: boolean;
  /** MAXACTION for begin/end handlers (kernel probes get `maxAction`, stap's timer budget). */
  maxActionUser: number;
  /** -D MAXSTRINGLEN: kernel strings hold this many bytes with the NUL (at least KSTR_MIN). */
  maxStringLen: number;
  /** Possible CPUs of this machine (statistics read in kernel handlers merge every copy). */
  possibleCpus: number;
  /** MAXNESTING: how deep script function calls may go (recursive ones are expanded that deep). */
  maxNesting?: number;
  /** How kernel.function probes attach (decided by a feature probe; fentry when unknown). */
  functionAttach?: () => FunctionAttach;
  /** Told of each begin/end handler left to the interpreter, and why (-v shows it). */
  onInterpreted?: (probe: DerivedProbe, reason: string) => void;
}

export function compileKernel(p: Program, getBtf: () => Btf | null, maxMapEntries: number, maxAction = 1000,
  opts: KernelOptions = { userHandlersInKernel: false, maxActionUser: maxAction, maxStringLen: 512, possibleCpus: 1 }): KernelBuild | null {
  const attached = p.probes.filter(isKernelProbe);
  // Below KSTR_MIN kernel strings keep KSTR_MIN bytes (execname, errno names whole) and would
  // truncate differently from the interpreter: such sessions keep begin/end there.
  const strLen = Math.max(opts.maxStringLen, KSTR_MIN);
  const candidates = opts.userHandlersInKernel && opts.maxStringLen >= KSTR_MIN
    ? p.probes.filter((pr) => pr.site.family === 'begin' || pr.site.family === 'end') : [];
  if (attached.length === 0 && candidates.length === 0) return null;
  const buckets = (v: Var) => {
    const h = histSpecOf(p, v);
    if (h.kind === 'log') return LOG_BUCKETS;
    if (h.kind === 'linear') return Math.trunc((h.stop - h.start) / h.interval) + 3;
    return 0;
  };
  // First round (--runtime=bpf): which begin/end handlers compile at all, with every global in
  // maps. Only the globals the kernel's handlers use go to maps in the end, so a global that
  // only interpreted handlers touch keeps the interpreter's semantics (insertion order, ...).
  const regexPlan = planRegexes(p, strLen);
  const everyGlobal = candidates.length > 0 ? new KernelLayout(p.globals, maxMapEntries, buckets, strLen) : null;
  if (everyGlobal) everyGlobal.regexPlan = regexPlan;
  const runnable = candidates.filter((probe) => {
    try {
      new ProbeGen(p, probe, everyGlobal!, new Records(), TEST_RUN, true, opts.maxActionUser, getBtf, opts.maxNesting).generate('trial');
      return true;
    } catch (e) {
      if (e instanceof SemanticError && e.site === 'kernel:unsupported') {
        opts.onInterpreted?.(probe, e.message); // the interpreter runs it
        return false;
      }
      throw e;
    }
  });
  const kernel = [...attached, ...runnable];
  if (kernel.length === 0) return null;
  const globals = sharedGlobals(p, kernel);
  const layout = new KernelLayout(globals, maxMapEntries, buckets, strLen);
  layout.possibleCpus = opts.possibleCpus;
  layout.regexPlan = regexPlan;
  const records = new Records();
  let scratch = 0;
  const programs = kernel.map((probe, i) => {
    const testRun = runnable.includes(probe);
    const target = testRun ? TEST_RUN : resolveTarget(probe, getBtf, opts.functionAttach);
    const budget = testRun ? opts.maxActionUser : maxAction;
    // Most counters need no scratch area, and skipping its lookup makes every hit cheaper:
    // such a handler is generated again without it (the first attempt is cheap for them, and
    // big handlers, which do use scratch, are generated once).
    const name = `tstap${process.pid % 100000}_${i}`;
    const mark = records.mark();
    const gen = new ProbeGen(p, probe, layout, records, target, true, budget, getBtf, opts.maxNesting);
    let spec = gen.generate(name);
    if (!gen.usedScratch) {
      records.rollback(mark);
      spec = new ProbeGen(p, probe, layout, records, target, false, budget, getBtf, opts.maxNesting).generate(name);
    }
    scratch = Math.max(scratch, gen.scratchBytes);
    return spec;
  });
  layout.sizeScratch(scratch);
  layout.sizeRing(records.formats.every((f) => f.what.kind === 'exit' || f.what.kind === 'error'));
  return { spec: { maps: layout.maps, programs, records: records.formats }, layout, printCalls: records.printCalls, kernelProbes: new Set(kernel) };
}

const TEST_RUN: ReturnType<typeof resolveTarget> = { attach: { kind: 'test_run' }, vars: { kind: 'none' } };
