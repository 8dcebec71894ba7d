// Dead-code removal before linking. The verifier rejects a program with any unreachable
// instruction ("unreachable insn N"), while a code generator naturally leaves some: the rest
// of a block after `error()`, a handler that fails its MAXACTION check up front, ...

import { EXIT, GOTOL, JA, LD_IMM64 } from './insn.js';
import type { PendingSlot } from './link.js';
import type { Relocation } from './program.js';

export interface Unit<M, S> {
  slots: PendingSlot<S>[];
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
    const s = u.slots[i]!;
    const wide = s.raw.code === LD_IMM64;
    if (wide && i + 1 < n) live[i + 1] = 1;
    if (s.target && (s.target.kind === 'jump' || s.target.kind === 'long')) {
      const t = u.labels.get(s.target.label);
      if (t !== undefined) work.push(t);
    }
    if (s.raw.code !== EXIT && s.raw.code !== JA && s.raw.code !== GOTOL) work.push(i + (wide ? 2 : 1));
  }
  // newIndex[i]: where slot i (or, if it is dropped, the next kept slot) ends up.
  const newIndex = new Int32Array(n + 1);
  const slots: PendingSlot<S>[] = [];
  for (let i = 0; i < n; i++) {
    newIndex[i] = slots.length;
    if (live[i]) slots.push(u.slots[i]!);
  }
  if (slots.length === n) return u;
  newIndex[n] = slots.length;
  const labels = new Map<string, number>();
  for (const [name, at] of u.labels) labels.set(name, newIndex[at]!);
  const relocs: Relocation<M>[] = [];
  for (const r of u.relocs) if (live[r.insn]) relocs.push({ ...r, insn: newIndex[r.insn]! });
  return { slots, labels, funcs: u.funcs.map((f) => ({ name: f.name, start: newIndex[f.start]! })), relocs };
}
