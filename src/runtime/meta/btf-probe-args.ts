// Probe argument lists from BTF: tp_btf tracepoint args (btf_trace_<tp>) and kernel function signatures.

import type { Btf } from './btf.js';
import { resolve } from './btf-layout.js';
import type { BtfParam } from './btf-types.js';

export interface Signature {
  /** The TYPEDEF `btf_trace_<tp>` (the tp_btf attach_btf_id) or the FUNC (fentry's). */
  readonly id: number;
  readonly protoId: number;
  readonly returnType: number;
  /** In register/ctx order: params[i] is ctx u64 slot i for tp_btf, raw_tp and fentry. */
  readonly params: readonly BtfParam[];
  readonly variadic: boolean;
}

/**
 * Arguments of tracepoint `tp` as tp_btf/raw_tp programs see them. The kernel's
 * `btf_trace_<tp>` typedef (the attach target) is a pointer to a prototype whose first
 * parameter is the probe's `void *__data`, which programs never see, so it is dropped.
 * That prototype's parameters are unnamed in BTF; the names come from the per-tracepoint
 * functions the kernel generates with the same parameters (`__traceiter_<tp>`, `__probestub_<tp>`).
 */
export function tracepointSignature(btf: Btf, tp: string): Signature | undefined {
  const id = btf.find('typedef', `btf_trace_${tp}`);
  if (id === undefined) return undefined;
  const ptr = btf.type(resolve(btf, id));
  if (ptr.kind !== 'ptr') return undefined;
  const protoId = resolve(btf, ptr.type);
  const proto = btf.type(protoId);
  if (proto.kind !== 'func_proto') return undefined;
  const names = paramNames(btf, proto.params.length, [`__traceiter_${tp}`, `__probestub_${tp}`]);
  const params = proto.params.map((p, i) => (p.name === '' && names ? { name: names[i]!, type: p.type } : p));
  return { id, protoId, returnType: proto.returnType, params: params.slice(1), variadic: proto.variadic };
}

function paramNames(btf: Btf, count: number, funcs: string[]): string[] | undefined {
  for (const f of funcs) {
    const sig = funcSignature(btf, f);
    if (sig && sig.params.length === count && sig.params.every((p) => p.name !== '')) return sig.params.map((p) => p.name);
  }
  return undefined;
}

/** The signature of kernel function `name` (FUNC record), for fentry/fexit and kprobe $args. */
export function funcSignature(btf: Btf, name: string): Signature | undefined {
  const id = btf.find('func', name);
  if (id === undefined) return undefined;
  const f = btf.type(id);
  if (f.kind !== 'func') return undefined;
  const proto = btf.type(f.type);
  if (proto.kind !== 'func_proto') return undefined;
  return { id, protoId: f.type, returnType: proto.returnType, params: proto.params, variadic: proto.variadic };
}
