// How a kernel probe point is attached and how its `$` variables are read: tp_btf tracepoints
// (TP_PROTO arguments, BTF-typed) or classic tracepoints (fields of the tracefs record, their C
// types looked up in BTF when `->`, `[i]` or pretty printing needs them: btf-ctype.ts).

import { SemanticError } from '../../diag/errors.js';
import type { Btf } from '../../runtime/meta/btf.js';
import { funcSignature, tracepointSignature } from '../../runtime/meta/btf-probe-args.js';
import { readEventFormat, type EventFormat } from '../../runtime/meta/tracefs.js';
import { fieldTypes, type FieldTypes } from '../../runtime/meta/btf-ctype.js';
import type { DerivedProbe } from '../../elaborate/model.js';
import { PERF_EVENTS } from '../../elaborate/probe-families.js';
import { kernelHz } from '../../runtime/meta/host-session.js';
import type { AttachSpec } from '../spec.js';

export type TargetVars =
  /** `regs`: read from the probe's pt_regs (kprobes) rather than a u64 array (BTF-typed ctx). */
  | { kind: 'btf_args'; btf: Btf; params: { name: string; type: number }[]; regs?: boolean }
  /** `types`: the fields' C types in BTF (for `->`, `[i]` and pretty printing), worked out on first use. */
  | { kind: 'tracefs'; format: EventFormat; types: () => FieldTypes | null }
  | { kind: 'none' };

export interface Target {
  attach: AttachSpec;
  vars: TargetVars;
}

/** How kernel.function probes attach: fentry/fexit, or kprobes where the kernel has no fentry. */
export type FunctionAttach = 'fentry' | 'kprobe';

/** Resolves `kernel.trace("cat:name")`: tp_btf where BTF describes it, else the tracefs record. */
export function resolveTarget(p: DerivedProbe, getBtf: () => Btf | null, functionAttach: () => FunctionAttach = () => 'fentry'): Target {
  if (p.site.family === 'timer.profile' || p.site.family === 'timer.profile.tick') {
    // stap's profiling timer fires on every tick of every CPU: sample at the kernel's HZ.
    return { attach: { kind: 'cpu_clock', freq: kernelHz(), periodNs: null }, vars: { kind: 'none' } };
  }
  if (p.site.family.startsWith('kernel.function')) {
    const func = String(p.site.params['function'] ?? '');
    if (/[*?[]/.test(func)) throw new SemanticError('kernel.function:wildcard', `not supported yet: wildcards in kernel.function("${func}")`, p.tok);
    const btf = getBtf();
    const sig = btf ? funcSignature(btf, func) : undefined;
    if (!btf || !sig) throw new SemanticError('kernel.function:missing', `no kernel function ${func} in this kernel's BTF`, p.tok);
    const ret = p.site.family === 'kernel.function.return';
    const params = sig.params.map((x) => ({ name: x.name, type: x.type }));
    if (functionAttach() === 'kprobe') {
      // Arguments in their registers at entry; a kretprobe sees only the return value (stap's
      // kretprobes save arguments with @entry).
      return { attach: { kind: 'kprobe', func, ret }, vars: { kind: 'btf_args', btf, params: ret ? [{ name: 'return', type: sig.returnType }] : params, regs: true } };
    }
    // fexit sees the arguments too, then the return value: $return is the slot after them.
    if (ret) params.push({ name: 'return', type: sig.returnType });
    return { attach: { kind: 'function', func, ret, btfId: sig.id }, vars: { kind: 'btf_args', btf, params } };
  }
  const perf = PERF_EVENTS[p.site.family];
  if (perf) {
    const n = p.site.params['sample'];
    // stap's default sample period for perf probes is 1,000,000 events.
    return {
      attach: { kind: 'perf', event: p.site.family, type: perf.type, config: perf.config, sample: typeof n === 'bigint' ? n : 1000000n },
      vars: { kind: 'none' },
    };
  }
  const spec = String(p.site.params['trace'] ?? '');
  const colon = spec.indexOf(':');
  const category = colon >= 0 ? spec.slice(0, colon) : '';
  const name = colon >= 0 ? spec.slice(colon + 1) : spec;
  // Syscall tracepoints have no BTF prototype; only load BTF (tens of ms) when it can help.
  // TSTAP_TRACEPOINT_ATTACH=classic reads the tracefs record even where BTF describes the
  // tracepoint: on a kernel with BTF only syscall tracepoints are classic, and their records
  // hold no arrays or dynamic strings, which tests of classic fields need.
  const classic = process.env['TSTAP_TRACEPOINT_ATTACH'] === 'classic';
  const btf = category !== 'syscalls' && !classic ? getBtf() : null;
  const sig = btf ? tracepointSignature(btf, name) : undefined;
  if (btf && sig) {
    // btf_trace_* prototypes carry no parameter names; the kernel's __bpf_trace_<tp> (or
    // __probestub_<tp>) function has the same parameters, named as in TP_PROTO.
    const named = funcSignature(btf, `__bpf_trace_${name}`) ?? funcSignature(btf, `__probestub_${name}`);
    const names = named ? named.params.slice(1).map((x) => x.name) : [];
    return {
      attach: { kind: 'tp_btf', tracepoint: name, category },
      vars: { kind: 'btf_args', btf, params: sig.params.map((x, i) => ({ name: names[i] || x.name || `arg${i + 1}`, type: x.type })) },
    };
  }
  let format: EventFormat;
  try {
    format = readEventFormat(category || '*', name);
  } catch (e) {
    throw new SemanticError('kernel.trace:missing', `no tracepoint ${spec} on this kernel (${(e as Error).message})`, p.tok);
  }
  return { attach: { kind: 'tracepoint', category, name }, vars: { kind: 'tracefs', format, types: tracefsTypes(format, getBtf) } };
}

/** The fields' BTF types, computed once when first asked for (most handlers never ask: no BTF load). */
function tracefsTypes(format: EventFormat, getBtf: () => Btf | null): () => FieldTypes | null {
  let types: FieldTypes | null | undefined;
  return () => {
    if (types === undefined) {
      const btf = getBtf();
      types = btf ? fieldTypes(btf, format.fields) : null;
    }
    return types;
  };
}
