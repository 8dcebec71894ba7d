// Link time: labels become pc-relative offsets, subprogram structure and size limits are checked, slots become bytes.
//
// Offsets count slots from the instruction *after* the jump (target = pc + 1 + off), for jumps,
// BPF-to-BPF calls (imm) and ld_imm64 of a subprogram address (imm) alike. The checks here are
// ones the verifier would make anyway, but it reports an instruction index; we report the label
// and the source span of the offending instruction.

import { AsmError } from './error.js';
import { EXIT, GOTOL, INSN_SIZE, JA, LD_IMM64, MAX_INSNS_PRIVILEGED, MAX_SUBPROGS } from './insn.js';
import type { FunctionInfo, MapRef, Program, Relocation } from './program.js';
import type { SlotBuffer } from './slots.js';

/**
 * A symbolic operand: `jump` fills off (s16), `long` (gotol) fills imm, `call` and `func`
 * fill imm and must name a subprogram.
 */
export interface LabelTarget {
  label: string;
  kind: 'jump' | 'long' | 'call' | 'func';
}

export interface LinkOptions {
  /** Drop unreachable instructions first (the verifier rejects them); off, it reports them. */
  pruneUnreachable?: boolean;
  /** Instruction limit; default the privileged one (1,000,000). Use MAX_INSNS_UNPRIVILEGED for 4096. */
  maxInsns?: number;
}

const S16_MIN = -0x8000;
const S16_MAX = 0x7fff;

export function link<M extends MapRef, S>(
  slots: SlotBuffer<S>,
  labels: ReadonlyMap<string, number>,
  funcs: readonly { name: string; start: number; globalArity?: number }[],
  relocs: readonly Relocation<M>[],
  options: LinkOptions,
): Program<M, S> {
  const n = slots.length;
  const fail = (msg: string, at: number | null): never => {
    throw new AsmError(msg, at, at === null ? null : slots.spans[at] ?? null);
  };
  if (n === 0) fail('empty program: the kernel needs at least one instruction (exit)', null);
  const max = options.maxInsns ?? MAX_INSNS_PRIVILEGED;
  if (n > max) fail(`program too large: ${n} instructions, the kernel loads at most ${max}`, null);
  if (funcs.length > MAX_SUBPROGS) fail(`too many subprograms: ${funcs.length}, the verifier allows ${MAX_SUBPROGS}`, null);

  const functions: FunctionInfo[] = funcs.map((f, k) => ({
    name: f.name, start: f.start, end: k + 1 < funcs.length ? funcs[k + 1]!.start : n,
    ...(f.globalArity === undefined ? {} : { globalArity: f.globalArity }),
  }));
  const funcNames = new Set(functions.map((f) => f.name));

  // Second slots of ld_imm64 are not instructions: nothing may end on or jump into one.
  const isTail = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (slots.code(i) === LD_IMM64) isTail[++i] = 1;

  const funcOf = new Int32Array(n);
  functions.forEach((f, k) => {
    if (f.start === f.end) fail(`function '${f.name}' has no instructions`, f.start < n ? f.start : null);
    funcOf.fill(k, f.start, f.end);
    const last = f.end - 1;
    const code = slots.code(last);
    if (isTail[last] || (code !== EXIT && code !== JA && code !== GOTOL)) {
      fail(`function '${f.name}' does not end with exit or goto: execution would fall off its end`, last);
    }
  });

  const insns = slots.encoded();
  for (const [i, { label, kind }] of slots.targets) {
    const t = labels.get(label);
    const isFunc = kind === 'call' || kind === 'func';
    if (t === undefined) fail(isFunc ? `undefined function '${label}'` : `undefined label '${label}'`, i);
    else if (t >= n) fail(`label '${label}' is at the end of the program, after the last instruction`, i);
    else {
      const delta = t - (i + 1);
      if (isFunc) {
        if (!funcNames.has(label)) fail(`'${label}' is a label, not a subprogram: declare call targets with func()`, i);
        insns.writeInt32LE(delta, i * INSN_SIZE + 4);
      } else {
        if (funcOf[t] !== funcOf[i]) {
          fail(`jump from function '${functions[funcOf[i]!]!.name}' to label '${label}' in function ` +
            `'${functions[funcOf[t]!]!.name}': jumps cannot cross subprograms (use callLocal)`, i);
        }
        if (kind === 'long') insns.writeInt32LE(delta, i * INSN_SIZE + 4);
        else if (delta < S16_MIN || delta > S16_MAX) {
          fail(`jump to label '${label}' is ${delta} instructions away, beyond the 16-bit jump offset ` +
            `range (${S16_MIN}..${S16_MAX}); use gotol or make the code shorter`, i);
        } else insns.writeInt16LE(delta, i * INSN_SIZE + 2);
      }
    }
  }

  return {
    insns,
    spans: slots.spans.slice(0, n),
    relocations: relocs.map((r) => ({ ...r })),
    functions,
  };
}
