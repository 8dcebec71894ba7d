// C layout questions over BTF: qualifier/typedef resolution, member lookup as C does it, sizeof.

import type { Btf } from './btf.js';
import { BtfError, type BtfType } from './btf-types.js';

/** libbpf's limit; real chains are a few links long, a longer one is a loop in bad data. */
const MAX_DEPTH = 32;

/** Pointer size of the targets tstap supports (x86-64); BTF itself does not record it. */
export const POINTER_SIZE = 8;

/** Follows typedef, const, volatile, restrict and type_tag links to the underlying type id. */
export function resolve(btf: Btf, id: number): number {
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const t = btf.type(id);
    if (t.kind !== 'typedef' && t.kind !== 'const' && t.kind !== 'volatile' && t.kind !== 'restrict' &&
        t.kind !== 'type_tag') return id;
    id = t.type;
  }
  throw new BtfError(`BTF type chain at id ${id} is too deep`);
}

/** The underlying type record (see `resolve`). */
export function resolved(btf: Btf, id: number): BtfType {
  return btf.type(resolve(btf, id));
}

/** Follows only the qualifiers (const, volatile, restrict, type_tag), keeping typedef names. */
export function stripQualifiers(btf: Btf, id: number): number {
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const t = btf.type(id);
    if (t.kind !== 'const' && t.kind !== 'volatile' && t.kind !== 'restrict' && t.kind !== 'type_tag') return id;
    id = t.type;
  }
  throw new BtfError(`BTF type chain at id ${id} is too deep`);
}

/** A member found in a struct or union, with its offset from the start of the outermost one. */
export interface MemberRef {
  readonly name: string;
  readonly type: number;
  readonly bitOffset: number;
  /** 0 for ordinary members, the width for bitfields. */
  readonly bitSize: number;
}

/**
 * Finds member `name` of the struct/union `id` (resolved through typedefs and qualifiers),
 * searching anonymous struct/union members the way C does.
 */
export function memberOf(btf: Btf, id: number, name: string): MemberRef | undefined {
  const t = resolved(btf, id);
  if (t.kind !== 'struct' && t.kind !== 'union') return undefined;
  for (const m of t.members) {
    if (m.name === name) return normalizeBitfield(btf, m.name, m.type, m.bitOffset, m.bitSize);
    if (m.name === '') {
      const inner = memberOf(btf, m.type, name);
      if (inner) return { ...inner, bitOffset: inner.bitOffset + m.bitOffset };
    }
  }
  return undefined;
}

/** All named members, anonymous struct/union members flattened into their container (for $$vars-style printing). */
export function flatMembers(btf: Btf, id: number): MemberRef[] {
  const t = resolved(btf, id);
  if (t.kind !== 'struct' && t.kind !== 'union') return [];
  const out: MemberRef[] = [];
  for (const m of t.members) {
    if (m.name !== '') {
      out.push(normalizeBitfield(btf, m.name, m.type, m.bitOffset, m.bitSize));
      continue;
    }
    const k = resolved(btf, m.type).kind;
    if (k !== 'struct' && k !== 'union') continue;
    for (const inner of flatMembers(btf, m.type)) out.push({ ...inner, bitOffset: inner.bitOffset + m.bitOffset });
  }
  return out;
}

// Without the struct's kflag, a bitfield is described by its INT type's own offset and width.
function normalizeBitfield(btf: Btf, name: string, type: number, bitOffset: number, bitSize: number): MemberRef {
  if (bitSize === 0) {
    const t = resolved(btf, type);
    if (t.kind === 'int' && (t.bitOffset !== 0 || t.bits !== t.size * 8)) {
      return { name, type, bitOffset: bitOffset + t.bitOffset, bitSize: t.bits };
    }
  }
  return { name, type, bitOffset, bitSize };
}

/** sizeof in bytes, or undefined for types without one (void, functions, forward declarations). */
export function sizeof(btf: Btf, id: number): number | undefined {
  const t = resolved(btf, id);
  switch (t.kind) {
    case 'int': case 'struct': case 'union': case 'enum': case 'enum64': case 'float': case 'datasec':
      return t.size;
    case 'ptr':
      return POINTER_SIZE;
    case 'array': {
      const e = sizeof(btf, t.type);
      return e === undefined ? undefined : e * t.nelems;
    }
    case 'var':
      return sizeof(btf, t.type);
    case 'void': case 'fwd': case 'func': case 'func_proto': case 'decl_tag':
    case 'typedef': case 'const': case 'volatile': case 'restrict': case 'type_tag':
      return undefined;
  }
}
