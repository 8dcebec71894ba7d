// The C types of a classic tracepoint's fields as BTF type ids. A tracefs format file gives
// each field's type only as C text (`const char * filename`, `umode_t mode`, `char comm[16]`,
// `struct open_how * how`, `__data_loc char[] name`); the names in it (base types, typedefs,
// struct/union/enum tags) are looked up in the kernel's BTF, and the pointer and array types
// built from them, which vmlinux BTF need not hold, are added in a small split BTF over it.

import { Btf } from './btf.js';
import { BtfKind } from './btf-types.js';
import { POINTER_SIZE, sizeof } from './btf-layout.js';
import type { TraceField } from './tracefs.js';

/** The BTF the field types live in (vmlinux's plus the added types) and each field's type id. */
export interface FieldTypes {
  readonly btf: Btf;
  /** By field name; a field whose C type BTF does not describe is absent. */
  readonly types: ReadonlyMap<string, number>;
}

/** Annotations the kernel's declarations may carry (stringified as written): no part of the type. */
const QUALIFIERS = new Set(['const', 'volatile', 'restrict', '__restrict', '__user', '__iomem', '__rcu', '__percpu', '__force', '__seg_gs', '__seg_fs']);
const INT_WORDS = new Set(['signed', 'unsigned', 'char', 'short', 'int', 'long']);

/** A C type text taken apart: what it names, and how many `*` follow. */
export interface CType {
  readonly base: { tag: 'struct' | 'union' | 'enum' | 'name'; name: string } | { tag: 'int'; names: readonly string[] } | { tag: 'void' };
  readonly pointers: number;
}

/** Parses type text as format files print it; undefined for what is not a plain declaration (function pointers...). */
export function parseCType(text: string): CType | undefined {
  const tokens = text.replace(/\*/g, ' * ').split(/\s+/).filter((t) => t !== '' && !QUALIFIERS.has(t));
  let pointers = 0;
  const words: string[] = [];
  for (const t of tokens) {
    if (t === '*') pointers++;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(t) && pointers === 0) words.push(t);
    else return undefined;
  }
  const [first, second] = words;
  if (first === undefined) return undefined;
  if ((first === 'struct' || first === 'union' || first === 'enum') && second !== undefined && words.length === 2) {
    return { base: { tag: first, name: second }, pointers };
  }
  if (words.every((w) => INT_WORDS.has(w))) {
    const names = intNames(words);
    return names ? { base: { tag: 'int', names }, pointers } : undefined;
  }
  if (words.length !== 1) return undefined;
  return { base: first === 'void' ? { tag: 'void' } : { tag: 'name', name: first }, pointers };
}

/**
 * The names BTF may give a C integer type spelled with keywords in any order (`unsigned long`,
 * `long unsigned int`): gcc's DWARF names first (what pahole copies), then clang's.
 */
function intNames(words: readonly string[]): readonly string[] | undefined {
  const count = (w: string) => words.filter((x) => x === w).length;
  const unsigned = count('unsigned') > 0;
  if (unsigned && count('signed') > 0) return undefined;
  const longs = count('long');
  if (count('char')) {
    if (words.length !== 1 + count('signed') + count('unsigned')) return undefined;
    return [unsigned ? 'unsigned char' : count('signed') ? 'signed char' : 'char'];
  }
  if (count('short')) return unsigned ? ['short unsigned int', 'unsigned short'] : ['short int', 'short'];
  if (longs === 1) return unsigned ? ['long unsigned int', 'unsigned long'] : ['long int', 'long'];
  if (longs === 2) return unsigned ? ['long long unsigned int', 'unsigned long long'] : ['long long int', 'long long'];
  if (longs > 2) return undefined;
  return [unsigned ? 'unsigned int' : 'int'];
}

/** The BTF id a parsed type's base names (0: void), or undefined. */
function baseId(btf: Btf, base: CType['base']): number | undefined {
  switch (base.tag) {
    case 'void': return 0;
    case 'int': {
      for (const n of base.names) {
        const id = btf.find('int', n);
        if (id !== undefined) return id;
      }
      return undefined;
    }
    // A tag only declared somewhere (FWD) still types a pointer: it prints as `%p` or `?`.
    case 'struct': return btf.find('struct', base.name) ?? btf.find('fwd', base.name);
    case 'union': return btf.find('union', base.name) ?? btf.find('fwd', base.name);
    case 'enum': return btf.find('enum', base.name) ?? btf.find('enum64', base.name);
    case 'name': return btf.find('typedef', base.name) ?? btf.find('int', base.name) ?? btf.find('float', base.name);
  }
}

/** Pointer and array types added after the base's ids, each made once. */
class AddedTypes {
  private readonly words: number[] = [];
  private readonly made = new Map<string, number>();
  private count = 0;

  constructor(private readonly base: Btf) {}

  pointer(target: number): number {
    return this.add(`p${target}`, [0, BtfKind.PTR << 24, target]);
  }

  /** An array of `nelems` (0: a length known only at run time, as BTF writes flexible arrays). */
  array(elem: number, nelems: number): number {
    const index = this.base.find('int', 'int') ?? 0;
    return this.add(`a${elem}:${nelems}`, [0, BtfKind.ARRAY << 24, 0, elem, index, nelems]);
  }

  private add(key: string, record: number[]): number {
    const hit = this.made.get(key);
    if (hit !== undefined) return hit;
    const id = this.base.lastId + ++this.count;
    this.words.push(...record);
    this.made.set(key, id);
    return id;
  }

  /** The split BTF holding the added types over the base (the base itself when none were needed). */
  build(): Btf {
    if (this.count === 0) return this.base;
    // Header (24 bytes), the records, then a string section of one empty name: every added
    // type is anonymous, name offset 0, which the base resolves to "".
    const typeLen = this.words.length * 4;
    const data = new Uint8Array(24 + typeLen + 1);
    const dv = new DataView(data.buffer);
    dv.setUint16(0, 0xeb9f, true);
    dv.setUint8(2, 1);
    dv.setUint32(4, 24, true);
    dv.setUint32(8, 0, true);
    dv.setUint32(12, typeLen, true);
    dv.setUint32(16, typeLen, true);
    dv.setUint32(20, 1, true);
    this.words.forEach((w, i) => dv.setUint32(24 + 4 * i, w, true));
    return Btf.parse(data, this.base);
  }
}

/**
 * Each field's C type as a BTF id over `base` (vmlinux). A field's array part (`x[16]`,
 * `__data_loc char[]`) makes an array type: of the declared length, else as many elements as
 * the field's bytes hold, or of length 0 for dynamic data. A type larger than the field's bytes
 * in the record is taken for a misreading and left out (syscall records store every argument in
 * 8 bytes, so a type may be smaller, never larger).
 */
export function fieldTypes(base: Btf, fields: readonly TraceField[]): FieldTypes {
  const added = new AddedTypes(base);
  const types = new Map<string, number>();
  for (const f of fields) {
    const id = fieldType(base, added, f);
    if (id !== undefined) types.set(f.name, id);
  }
  return { btf: added.build(), types };
}

function fieldType(base: Btf, added: AddedTypes, f: TraceField): number | undefined {
  const c = parseCType(f.type);
  if (!c) return undefined;
  const named = baseId(base, c.base);
  if (named === undefined || (named === 0 && c.pointers === 0)) return undefined;
  // The size of one value: a pointer's, or the named type's (none for void, functions, FWD).
  const size = c.pointers ? POINTER_SIZE : sizeof(base, named);
  if (!size) return undefined;
  let id = named;
  for (let i = 0; i < c.pointers; i++) id = added.pointer(id);
  if (f.dataLoc) return added.array(id, 0);
  if (!f.isArray) return size <= f.size ? id : undefined;
  const n = f.arrayLen ?? Math.floor(f.size / size);
  return n > 0 && n * size <= f.size ? added.array(id, n) : undefined;
}
