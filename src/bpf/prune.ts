// Dead-code removal before linking. The verifier rejects a program with any unreachable
// instruction ("unreachable insn N"), while a code generator naturally leaves some: the rest
// of a block after `error()`, a handler that fails its MAXACTION check up front, ...

import { EXIT, GOTOL, JA, LD_IMM64 } from './insn.js';
import type { Relocation } from './program.js';
import { SlotBuffer } from './slots.js';

export interface Unit<M, S> {
  slots: SlotBuffer<S>;
  labels: Map<string, number>;
  funcs: { name: string; start: number }[];
  relocs: Relocation<M>[];
}

/** Drops the slots no path from a subprogram entry reaches; labels and relocations follow. */
export function pruneUnreachable<M, S>(u: Unit<M, S>): Unit<M, S> {
  const n = u.slots.length;
  const live = new Uint8Array(n);
  const work = u.funcs.map((f) => f.start).filter((s) => s < n);
  while (work.length > 0) {
    const i = work.pop()!;
    if (i >= n || live[i]) continue;
    live[i] = 1;
    const code = u.slots.code(i);
    const wide = code === LD_IMM64;
    if (wide && i + 1 < n) live[i + 1] = 1;
    const target = u.slots.targets.get(i);
    if (target && (target.kind === 'jump' || target.kind === 'long')) {
      const t = u.labels.get(target.label);
      if (t !== undefined) work.push(t);
    }
    if (code !== EXIT && code !== JA && code !== GOTOL) work.push(i + (wide ? 2 : 1));
  }
  // newIndex[i]: where slot i (or, if it is dropped, the next kept slot) ends up.
  const newIndex = new Int32Array(n + 1);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    newIndex[i] = kept;
    if (live[i]) kept++;
  }
  if (kept === n) return u;
  newIndex[n] = kept;
  const slots = new SlotBuffer<S>();
  for (let i = 0; i < n; i++) if (live[i]) slots.copySlot(u.slots, i);
  const labels = new Map<string, number>();
  for (const [name, at] of u.labels) labels.set(name, newIndex[at]!);
  const relocs: Relocation<M>[] = [];
  for (const r of u.relocs) if (live[r.insn]) relocs.push({ ...r, insn: newIndex[r.insn]! });
  return { slots, labels, funcs: u.funcs.map((f) => ({ ...f, start: newIndex[f.start]! })), relocs };
}
