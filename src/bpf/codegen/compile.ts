// Pass 4 for kernel probes: decides which globals live in kernel maps, generates one eBPF
// program per kernel probe handler, and returns the loadable spec (plus what user space needs
// to interpret the records).

import { SemanticError } from '../../diag/errors.js';
import type * as A from '../../parse/ast.js';
import type { DerivedProbe, Program, Var } from '../../elaborate/model.js';
import { PROBE_FAMILIES } from '../../elaborate/probe-families.js';
import type { Btf } from '../../runtime/meta/btf.js';
import { LOG_BUCKETS } from '../../format/stats.js';
import type { KernelSpec } from '../spec.js';
import { histSpecOf, ProbeGen, Records } from './gen.js';
import { KernelLayout } from './layout.js';
import { resolveTarget } from './targets.js';

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

/** Globals referenced by the kernel handlers. */
function sharedGlobals(p: Program, probes: DerivedProbe[]): Var[] {
  const out = new Set<Var>();
  const visit = (n: unknown): void => {
    if (n === null || typeof n !== 'object') return;
    const node = n as { kind?: string };
    if (node.kind === 'symbol') {
      const v = p.bindings.vars.get(n as A.SymbolExpr);
      if (v?.scope === 'global') out.add(v);
    }
    for (const [k, x] of Object.entries(n)) if (k !== 'tok') visit(x);
  };
  for (const pr of probes) {
    visit(pr.body);
    visit(pr.condition);
  }
  return p.globals.filter((g) => out.has(g));
}

export function compileKernel(p: Program, getBtf: () => Btf | null, maxMapEntries: number, maxAction = 1000): KernelBuild | null {
  const kernel = p.probes.filter(isKernelProbe);
  if (kernel.length === 0) return null;
  const buckets = (v: Var) => {
    const h = histSpecOf(p, v);
    if (h.kind === 'log') return LOG_BUCKETS;
    if (h.kind === 'linear') return Math.trunc((h.stop - h.start) / h.interval) + 3;
    return 0;
  };
  for (const g of sharedGlobals(p, kernel)) {
    if (g.type === 'stats' && g.varianceShift !== null) {
      throw new SemanticError('kernel:unsupported', 'not supported in kernel context yet: @variance of a statistic written in a kernel probe', g.tok);
    }
  }
  const layout = new KernelLayout(sharedGlobals(p, kernel), maxMapEntries, buckets);
  const records = new Records();
  const programs = kernel.map((probe, i) => {
    const target = resolveTarget(probe, getBtf);
    // A trial run tells whether the handler needs the scratch area; most counters do not, and
    // skipping its lookup makes every hit cheaper.
    const trial = new ProbeGen(p, probe, layout, new Records(), target, true, maxAction, getBtf);
    trial.generate('trial');
    return new ProbeGen(p, probe, layout, records, target, trial.usedScratch, maxAction, getBtf).generate(`tstap${process.pid % 100000}_${i}`);
  });
  return { spec: { maps: layout.maps, programs, records: records.formats }, layout, printCalls: records.printCalls, kernelProbes: new Set(kernel) };
}
