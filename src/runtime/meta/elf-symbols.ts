// Function symbols of an ELF file (.symtab and .dynsym), sorted by address; lookup by name and by address.

import type { ElfFile } from './elf.js';

export interface ElfSymbol {
  readonly name: string;
  /** st_value: the link-time virtual address. */
  readonly value: number;
  readonly size: number;
  readonly kind: 'func' | 'ifunc';
  readonly bind: 'local' | 'global' | 'weak';
  readonly table: 'symtab' | 'dynsym';
}

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
const STB_LOCAL = 0;
const STB_GLOBAL = 1;
const STB_WEAK = 2;
const SYM_SIZE = 24;

/** STT_FUNC/STT_GNU_IFUNC definitions; names are decoded only for symbols that are asked for. */
export class ElfSymbolTable {
  readonly count: number;
  // Parallel arrays in address order.
  private readonly value: Float64Array;
  private readonly size: Float64Array;
  private readonly nameOff: Uint32Array;
  private readonly info: Uint8Array;
  /** 0: .symtab, 1: .dynsym (also selects the string table). */
  private readonly table: Uint8Array;
  private readonly strtabs: readonly Buffer[];
  private byName: Map<string, number[]> | undefined;

  private constructor(entries: Entries, strtabs: Buffer[]) {
    const order = sortedOrder(entries.value, entries.n);
    const n = entries.n;
    this.count = n;
    this.value = new Float64Array(n);
    this.size = new Float64Array(n);
    this.nameOff = new Uint32Array(n);
    this.info = new Uint8Array(n);
    this.table = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const j = order[i]!;
      this.value[i] = entries.value[j]!;
      this.size[i] = entries.size[j]!;
      this.nameOff[i] = entries.nameOff[j]!;
      this.info[i] = entries.info[j]!;
      this.table[i] = entries.table[j]!;
    }
    this.strtabs = strtabs;
  }

  static fromElf(elf: ElfFile): ElfSymbolTable {
    const strtabs: Buffer[] = [Buffer.alloc(0), Buffer.alloc(0)];
    // As perf does: .symtab when present (it holds everything .dynsym does, and more), else .dynsym.
    let part: { data: Buffer; table: number } | undefined;
    for (const [type, table] of [[SHT_SYMTAB, 0], [SHT_DYNSYM, 1]] as const) {
      const s = elf.sections.find((x) => x.type === type);
      const str = s && elf.sections[s.link];
      if (!s || s.size < SYM_SIZE || !str) continue;
      strtabs[table] = elf.sectionData(str);
      part = { data: elf.sectionData(s), table };
      break;
    }
    const total = part ? Math.floor(part.data.length / SYM_SIZE) : 0;
    const e: Entries = {
      n: 0, value: new Float64Array(total), size: new Float64Array(total), nameOff: new Uint32Array(total),
      info: new Uint8Array(total), table: new Uint8Array(total),
    };
    if (part) {
      const { data, table } = part;
      const w = data.byteOffset % 4 === 0
        ? new Uint32Array(data.buffer, data.byteOffset, total * (SYM_SIZE / 4))
        : new Uint32Array(data.buffer.slice(data.byteOffset, data.byteOffset + total * SYM_SIZE));
      for (let o = 0; o < w.length; o += SYM_SIZE / 4) {
        const word1 = w[o + 1]!;
        const type = word1 & 0xf;
        // Undefined symbols (shndx 0) are imports, not code in this file.
        if ((type !== STT_FUNC && type !== STT_GNU_IFUNC) || word1 >>> 16 === 0) continue;
        const i = e.n++;
        e.nameOff[i] = w[o]!;
        e.info[i] = word1 & 0xff;
        e.value[i] = w[o + 2]! + w[o + 3]! * 0x100000000;
        e.size[i] = w[o + 4]! + w[o + 5]! * 0x100000000;
        e.table[i] = table;
      }
    }
    return new ElfSymbolTable(e, strtabs);
  }

  /** The symbol at index `i` of the address order. */
  at(i: number): ElfSymbol {
    const info = this.info[i]!;
    const bind = info >> 4;
    return {
      name: this.nameAt(i), value: this.value[i]!, size: this.size[i]!,
      kind: (info & 0xf) === STT_GNU_IFUNC ? 'ifunc' : 'func',
      bind: bind === STB_GLOBAL ? 'global' : bind === STB_WEAK ? 'weak' : 'local',
      table: this.table[i] === 0 ? 'symtab' : 'dynsym',
    };
  }

  private nameAt(i: number): string {
    const s = this.strtabs[this.table[i]!]!;
    const off = this.nameOff[i]!;
    if (off >= s.length) return '';
    const e = s.indexOf(0, off);
    return s.toString('latin1', off, e < 0 ? s.length : e);
  }

  /** Every function once (a symbol in both tables is listed once), in address order. */
  all(): ElfSymbol[] {
    const out: ElfSymbol[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < this.count; i++) {
      const s = this.at(i);
      const key = `${s.value}\0${s.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(s);
    }
    return out;
  }

  /** All definitions named `name` (a local name can repeat), best first. */
  findAll(name: string): ElfSymbol[] {
    const idx = (this.byName ??= this.indexNames()).get(name) ?? [];
    return [...idx].sort((a, b) => this.rank(a, b)).map((i) => this.at(i));
  }

  /** The preferred definition named `name`: global over local, .symtab over .dynsym. */
  find(name: string): ElfSymbol | undefined {
    if (this.byName) return this.findAll(name)[0];
    // One-off lookups compare bytes in place rather than decoding every name.
    const needle = Buffer.from(name, 'latin1');
    let best = -1;
    const first = needle[0];
    for (let i = 0; i < this.count; i++) {
      if (this.strtabs[this.table[i]!]![this.nameOff[i]!] !== first || !this.nameIs(i, needle)) continue;
      if (best < 0 || this.rank(i, best) < 0) best = i;
    }
    return best < 0 ? undefined : this.at(best);
  }

  private nameIs(i: number, needle: Buffer): boolean {
    const s = this.strtabs[this.table[i]!]!;
    const off = this.nameOff[i]!;
    if (off + needle.length >= s.length || s[off + needle.length] !== 0) return false;
    for (let k = 0; k < needle.length; k++) if (s[off + k] !== needle[k]) return false;
    return true;
  }

  private indexNames(): Map<string, number[]> {
    const m = new Map<string, number[]>();
    for (let i = 0; i < this.count; i++) {
      const name = this.nameAt(i);
      const l = m.get(name);
      if (l) l.push(i);
      else m.set(name, [i]);
    }
    return m;
  }

  /**
   * The function containing `vaddr`: the nearest symbol at or below it whose size covers it
   * (a size of 0, as hand-written assembly has, covers up to the next symbol).
   */
  symbolize(vaddr: number): ElfSymbol | undefined {
    let a = 0;
    let b = this.count;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (this.value[m]! <= vaddr) a = m + 1;
      else b = m;
    }
    if (a === 0) return undefined;
    const v = this.value[a - 1]!;
    let best = -1;
    for (let i = a - 1; i >= 0 && this.value[i] === v; i--) {
      const size = this.size[i]!;
      if (size !== 0 && vaddr >= v + size) continue;
      if (best < 0 || this.rank(i, best) < 0) best = i;
    }
    return best < 0 ? undefined : this.at(best);
  }

  // Among aliases at one address (`getpid` WEAK and `__getpid` GLOBAL in libc), show the
  // name a user would write: exported before local, fewer leading underscores, then
  // GLOBAL before WEAK, then .symtab (which has the fuller names) before .dynsym.
  private rank(x: number, y: number): number {
    const bx = this.info[x]! >> 4;
    const by = this.info[y]! >> 4;
    const lx = bx === STB_LOCAL ? 1 : 0;
    const ly = by === STB_LOCAL ? 1 : 0;
    if (lx !== ly) return lx - ly;
    const ux = this.underscores(x);
    const uy = this.underscores(y);
    if (ux !== uy) return ux - uy;
    const gx = bx === STB_GLOBAL ? 0 : 1;
    const gy = by === STB_GLOBAL ? 0 : 1;
    if (gx !== gy) return gx - gy;
    return this.table[x]! - this.table[y]! || x - y;
  }

  private underscores(i: number): number {
    const s = this.strtabs[this.table[i]!]!;
    let n = 0;
    for (let p = this.nameOff[i]!; p < s.length && s[p] === 95; p++) n++;
    return n;
  }
}

interface Entries {
  n: number;
  readonly value: Float64Array;
  readonly size: Float64Array;
  readonly nameOff: Uint32Array;
  readonly info: Uint8Array;
  readonly table: Uint8Array;
}

// A stable address order. When addresses are small enough, packing (address, index) into one
// double lets the native typed-array sort do the work, several times faster than a comparator.
function sortedOrder(value: Float64Array, n: number): Uint32Array {
  const order = new Uint32Array(n);
  let max = 0;
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const v = value[i]!;
    if (v > max) max = v;
    else if (v < max) sorted = false;
    order[i] = i;
  }
  if (sorted) return order;
  let bits = 1;
  while (2 ** bits < n) bits++;
  if (max < 2 ** (53 - bits)) {
    const scale = 2 ** bits;
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = value[i]! * scale + i;
    keys.sort();
    // Subtracting the address part is exact and much cheaper than a floating-point `%`.
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      order[i] = k - Math.floor(k / scale) * scale;
    }
    return order;
  }
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => value[a]! - value[b]! || a - b);
  order.set(idx);
  return order;
}
