// An assembled program (bytes, spans, relocations, subprograms) and the load-time patching of its relocations.

import { CallKind, decodeInsn, encodeInsn, INSN_SIZE } from './insn.js';

/** What a map reference must offer the assembler; callers pass their own richer map specs. */
export interface MapRef {
  readonly name: string;
}

/**
 * A source position as the assembler's default users supply it: a parser token or any
 * `{file, line, col}`. The assembler never looks inside a span; only the disassembler's default
 * formatter does.
 */
export interface Span {
  readonly file: string | { readonly name: string };
  readonly line: number;
  readonly col?: number;
}

/** A place the loader must fill in once kernel objects exist. `insn` is the slot index. */
export type Relocation<M> =
  /** ld_imm64 src=MAP_FD: imm of slot `insn` gets the map's fd. */
  | { kind: 'map_fd'; insn: number; map: M }
  /** ld_imm64 src=MAP_VALUE: imm of slot `insn` gets the fd; the offset is already in slot insn+1. */
  | { kind: 'map_value'; insn: number; map: M; offset: number }
  /** call src=KFUNC: imm gets the function's BTF id, off the fd_array index of its BTF (0 = vmlinux). */
  | { kind: 'kfunc'; insn: number; name: string };

/**
 * A subprogram: slots [start, end). The first is the program's entry; the others are BPF-to-BPF
 * call targets. `start` is the insn_off of the subprogram's BTF func_info record.
 */
export interface FunctionInfo {
  name: string;
  start: number;
  end: number;
  /**
   * Set for a global subprogram: the verifier checks it once, on its own, with this many
   * 64-bit integer arguments (it returns one), instead of at every call with the caller's state.
   */
  globalArity?: number;
}

export interface Program<M extends MapRef = MapRef, S = Span> {
  /** 8 bytes per slot, little-endian, map fds and kfunc ids still zero. */
  insns: Buffer;
  /** The source of each slot (both slots of an ld_imm64), for mapping verifier errors back to the script. */
  spans: (S | null)[];
  relocations: Relocation<M>[];
  functions: FunctionInfo[];
}

export function insnCount(p: Program<MapRef, unknown>): number {
  return p.insns.length / INSN_SIZE;
}

/** How the loader resolves relocations. */
export interface Resolver<M> {
  mapFd(ref: M): number;
  /** BTF id of a kfunc, and the fd_array index of the BTF it lives in (0 or absent for vmlinux). */
  kfunc?(name: string): { btfId: number; btfFdIndex?: number };
}

/** A copy of the program's bytes with every relocation filled in; the Program itself stays untouched (reloadable). */
export function resolveRelocations<M extends MapRef, S>(p: Program<M, S>, r: Resolver<M>): Buffer {
  const out = Buffer.from(p.insns);
  for (const rel of p.relocations) {
    const insn = decodeInsn(out, rel.insn);
    switch (rel.kind) {
      case 'map_fd':
      case 'map_value':
        insn.imm = r.mapFd(rel.map);
        break;
      case 'kfunc': {
        if (!r.kfunc) throw new Error(`program calls kfunc ${rel.name} (insn ${rel.insn}) but no kfunc resolver was given`);
        const k = r.kfunc(rel.name);
        if (insn.src !== CallKind.KFUNC) throw new Error(`kfunc relocation at insn ${rel.insn} is not a kfunc call`);
        insn.imm = k.btfId;
        insn.off = k.btfFdIndex ?? 0;
        break;
      }
      default:
        return assertNever(rel);
    }
    encodeInsn(out, rel.insn, insn);
  }
  return out;
}

/** `resolveRelocations` for programs whose only relocations are maps (the common case). */
export function patchMapFds<M extends MapRef, S>(p: Program<M, S>, fdOf: (ref: M) => number): Buffer {
  return resolveRelocations(p, { mapFd: fdOf });
}

function assertNever(x: never): never {
  throw new Error(`unexpected relocation ${JSON.stringify(x)}`);
}
