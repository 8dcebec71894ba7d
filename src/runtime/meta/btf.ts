// BTF blobs (vmlinux and split module BTF): record offsets, lazy type decoding, lazy per-kind name indexes.

import { readFileSync, readdirSync } from 'node:fs';
import {
  BtfError, BtfKind, KIND_NAMES, LINKAGES,
  type BtfKindName, type BtfMember, type BtfRef, type BtfType, type Linkage,
} from './btf-types.js';

const MAGIC = 0xeb9f;
const HEADER_MIN = 24;

/** A parsed BTF blob. Ids of a split BTF continue after its base's, and its names may live in the base. */
export class Btf {
  /** Lowest type id held by this blob (1 for a base BTF). */
  readonly firstId: number;
  /** Number of types held by this blob (not counting the base's). */
  readonly count: number;
  private readonly words: Uint32Array;
  private readonly recOff: Uint32Array;
  private readonly kinds: Uint8Array;
  private readonly kindCounts: Uint32Array;
  private readonly strs: Uint8Array;
  private readonly strStart: number;
  private readonly cache: (BtfType | undefined)[];
  /** Hash-chain heads per kind; chains of different kinds never share a type, so `next`/`hashes` are shared. */
  private readonly heads: (Int32Array | undefined)[] = [];
  private next: Int32Array | undefined;
  private hashes: Uint32Array | undefined;

  private constructor(readonly base: Btf | undefined, words: Uint32Array, recOff: Uint32Array,
    kinds: Uint8Array, kindCounts: Uint32Array, strs: Uint8Array) {
    this.firstId = base ? base.firstId + base.count : 1;
    this.strStart = base ? base.strStart + base.strs.length : 0;
    this.words = words;
    this.recOff = recOff;
    this.kinds = kinds;
    this.kindCounts = kindCounts;
    this.count = kinds.length;
    this.strs = strs;
    this.cache = new Array<BtfType | undefined>(kinds.length);
  }

  /** Parses a blob; only the record boundaries are computed here, everything else on demand. */
  static parse(data: Uint8Array, base?: Btf): Btf {
    if (data.length < HEADER_MIN) throw new BtfError('BTF data is too short');
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const magic = dv.getUint16(0, true);
    if (magic !== MAGIC) {
      throw new BtfError(magic === 0x9feb ? 'BTF of the other byte order is not supported'
        : `not BTF data (magic 0x${magic.toString(16)})`);
    }
    const hdrLen = dv.getUint32(4, true);
    const typeOff = dv.getUint32(8, true);
    const typeLen = dv.getUint32(12, true);
    const strOff = dv.getUint32(16, true);
    const strLen = dv.getUint32(20, true);
    if (hdrLen < HEADER_MIN || hdrLen + typeOff + typeLen > data.length || hdrLen + strOff + strLen > data.length ||
        typeLen % 4 !== 0) {
      throw new BtfError('BTF header describes sections outside the data');
    }
    const tStart = data.byteOffset + hdrLen + typeOff;
    // A Uint32Array view needs 4-byte alignment; sysfs reads are aligned, in-memory slices might not be.
    const words = tStart % 4 === 0
      ? new Uint32Array(data.buffer, tStart, typeLen / 4)
      : new Uint32Array(data.buffer.slice(tStart, tStart + typeLen));
    const strs = data.subarray(hdrLen + strOff, hdrLen + strOff + strLen);
    // Every record is at least 3 words, which bounds the count without a growth check.
    const recOff = new Uint32Array(Math.floor(typeLen / 12));
    const kinds = new Uint8Array(recOff.length);
    const kindCounts = new Uint32Array(32);
    let n = 0;
    let p = 0;
    const end = words.length;
    while (p < end) {
      if (p + 3 > end) throw new BtfError(`BTF type ${n + 1} is truncated`);
      const info = words[p + 1]!;
      const kind = (info >>> 24) & 0x1f;
      kinds[n] = kind;
      kindCounts[kind]++;
      recOff[n++] = p;
      const fixed = FIXED_WORDS[kind] ?? 0;
      if (fixed === 0) throw new BtfError(`BTF type ${n} has unknown kind ${kind}`);
      p += fixed + PER_VLEN_WORDS[kind]! * (info & 0xffff);
    }
    if (p !== end) throw new BtfError('BTF type section ends inside a record');
    return new Btf(base, words, recOff.subarray(0, n), kinds.subarray(0, n), kindCounts, strs);
  }

  /** Highest valid type id (including the base's). */
  get lastId(): number {
    return this.firstId + this.count - 1;
  }

  /** The blob holding `id` (this one or a base) and the record's word offset in it. */
  private locate(id: number): [Btf, number] {
    let b: Btf | undefined = this;
    while (b && id < b.firstId) b = b.base;
    if (!b || id > b.lastId || id < 1) throw new BtfError(`BTF type id ${id} does not exist`);
    return [b, b.recOff[id - b.firstId]!];
  }

  /** Kind name of `id` without decoding the record. */
  kindOf(id: number): BtfKindName {
    if (id === 0) return 'void';
    const [b] = this.locate(id);
    return KIND_NAMES[b.kinds[id - b.firstId]!]!;
  }

  /** Name of `id` without decoding the record ('' when anonymous). */
  nameOf(id: number): string {
    if (id === 0) return 'void';
    const [b, off] = this.locate(id);
    return this.str(b.words[off]!);
  }

  /** A string by its offset in the (possibly base's) string section. */
  str(off: number): string {
    const [s, start] = this.strAt(off);
    let e = start;
    while (e < s.length && s[e] !== 0) e++;
    return latin1(s, start, e);
  }

  private strAt(off: number): [Uint8Array, number] {
    let b: Btf | undefined = this;
    while (b && off < b.strStart) b = b.base;
    if (!b || off - b.strStart >= b.strs.length) throw new BtfError(`BTF string offset ${off} is out of range`);
    return [b.strs, off - b.strStart];
  }

  /** The decoded type (cached). Id 0 is void. */
  type(id: number): BtfType {
    if (id === 0) return VOID;
    const [b, off] = this.locate(id);
    const i = id - b.firstId;
    const hit = b.cache[i];
    if (hit) return hit;
    const t = this.decode(b.words, off, id);
    b.cache[i] = t;
    return t;
  }

  private decode(w: Uint32Array, p: number, id: number): BtfType {
    const name = this.str(w[p]!);
    const info = w[p + 1]!;
    const vlen = info & 0xffff;
    const kflag = info >>> 31 === 1;
    const kind = (info >>> 24) & 0x1f;
    const sizeOrType = w[p + 2]!;
    const q = p + 3;
    switch (kind) {
      case BtfKind.INT: {
        const enc = w[q]!;
        const e = (enc >>> 24) & 0xf;
        return { kind: 'int', id, name, size: sizeOrType, signed: (e & 1) !== 0, char: (e & 2) !== 0,
          bool: (e & 4) !== 0, bitOffset: (enc >>> 16) & 0xff, bits: enc & 0xff };
      }
      case BtfKind.PTR: case BtfKind.TYPEDEF: case BtfKind.VOLATILE: case BtfKind.CONST:
      case BtfKind.RESTRICT: case BtfKind.TYPE_TAG:
        return { kind: REF_KINDS.get(kind)!, id, name, type: sizeOrType };
      case BtfKind.ARRAY:
        return { kind: 'array', id, name, type: w[q]!, indexType: w[q + 1]!, nelems: w[q + 2]! };
      case BtfKind.STRUCT: case BtfKind.UNION: {
        const members: BtfMember[] = new Array<BtfMember>(vlen);
        for (let i = 0; i < vlen; i++) {
          const m = q + 3 * i;
          const off = w[m + 2]!;
          members[i] = kflag
            ? { name: this.str(w[m]!), type: w[m + 1]!, bitOffset: off & 0xffffff, bitSize: off >>> 24 }
            : { name: this.str(w[m]!), type: w[m + 1]!, bitOffset: off, bitSize: 0 };
        }
        return { kind: kind === BtfKind.STRUCT ? 'struct' : 'union', id, name, size: sizeOrType, members };
      }
      case BtfKind.ENUM: {
        const values = [];
        for (let i = 0; i < vlen; i++) {
          const raw = w[q + 2 * i + 1]!;
          values.push({ name: this.str(w[q + 2 * i]!), value: BigInt(kflag ? raw | 0 : raw) });
        }
        return { kind: 'enum', id, name, size: sizeOrType, signed: kflag, values };
      }
      case BtfKind.ENUM64: {
        const values = [];
        for (let i = 0; i < vlen; i++) {
          const m = q + 3 * i;
          const u = (BigInt(w[m + 2]!) << 32n) | BigInt(w[m + 1]!);
          values.push({ name: this.str(w[m]!), value: kflag ? BigInt.asIntN(64, u) : u });
        }
        return { kind: 'enum64', id, name, size: sizeOrType, signed: kflag, values };
      }
      case BtfKind.FWD:
        return { kind: 'fwd', id, name, union: kflag };
      case BtfKind.FUNC:
        return { kind: 'func', id, name, type: sizeOrType, linkage: linkage(vlen) };
      case BtfKind.FUNC_PROTO: {
        const params = [];
        let variadic = false;
        for (let i = 0; i < vlen; i++) {
          const nameOff = w[q + 2 * i]!;
          const type = w[q + 2 * i + 1]!;
          if (i === vlen - 1 && nameOff === 0 && type === 0) variadic = true;
          else params.push({ name: this.str(nameOff), type });
        }
        return { kind: 'func_proto', id, name, returnType: sizeOrType, params, variadic };
      }
      case BtfKind.VAR:
        return { kind: 'var', id, name, type: sizeOrType, linkage: linkage(w[q]!) };
      case BtfKind.DATASEC: {
        const vars = [];
        for (let i = 0; i < vlen; i++) {
          const m = q + 3 * i;
          vars.push({ type: w[m]!, offset: w[m + 1]!, size: w[m + 2]! });
        }
        return { kind: 'datasec', id, name, size: sizeOrType, vars };
      }
      case BtfKind.FLOAT:
        return { kind: 'float', id, name, size: sizeOrType };
      case BtfKind.DECL_TAG:
        return { kind: 'decl_tag', id, name, type: sizeOrType, componentIdx: w[q]! | 0 };
      default:
        throw new BtfError(`BTF type ${id} has unknown kind ${kind}`);
    }
  }

  /** Ids named `name`, optionally of one kind, in id order (base blobs first). */
  findAll(name: string, kind?: BtfKindName): number[] {
    const out = this.base ? this.base.findAll(name, kind) : [];
    if (name === '') return out;
    const needle = Buffer.from(name, 'latin1');
    const h = hashBytes(needle, 0, needle.length);
    const own: number[] = [];
    const kinds = kind === undefined ? ALL_KINDS : [KIND_NAMES.indexOf(kind)];
    for (const k of kinds) {
      const heads = (this.heads[k] ??= this.buildIndex(k));
      const next = this.next!;
      const hashes = this.hashes!;
      for (let i = heads[h & (heads.length - 1)]!; i !== 0; i = next[i]!) {
        if (hashes[i] !== h) continue;
        const [s, start] = this.strAt(this.words[this.recOff[i - 1]!]!);
        if (bytesAt(s, start, needle)) own.push(this.firstId + i - 1);
      }
    }
    own.sort((x, y) => x - y);
    for (const id of own) out.push(id);
    return out;
  }

  /** The first id named `name` of the given kind, if any. */
  find(kind: BtfKindName, name: string): number | undefined {
    return this.findAll(name, kind)[0];
  }

  // One index per kind, built on first use: a session typically looks up a few structs and
  // tracepoint typedefs, and should not pay for hashing 56k function names it never asks for.
  private buildIndex(kind: number): Int32Array {
    const w = this.words;
    const recOff = this.recOff;
    const kinds = this.kinds;
    let cap = 64;
    while (cap < this.kindCounts[kind]! * 2) cap *= 2;
    const mask = cap - 1;
    const heads = new Int32Array(cap);
    const next = (this.next ??= new Int32Array(this.count + 1));
    const hashes = (this.hashes ??= new Uint32Array(this.count + 1));
    const own = this.strs;
    // Walking downwards makes each chain run in increasing id order.
    for (let i = this.count; i >= 1; i--) {
      if (kinds[i - 1] !== kind) continue;
      const nameOff = w[recOff[i - 1]!]!;
      if (nameOff === 0) continue;
      let h: number;
      if (nameOff >= this.strStart) {
        h = hashCString(own, nameOff - this.strStart);
      } else {
        const [s, start] = this.strAt(nameOff);
        h = hashCString(s, start);
      }
      hashes[i] = h;
      const bucket = h & mask;
      next[i] = heads[bucket]!;
      heads[bucket] = i;
    }
    return heads;
  }
}

// Record length in words: 3 for the common header plus the kind's fixed tail, plus a
// per-vlen tail (members, params, enumerators, secinfos). 0 marks an unknown kind.
const FIXED_WORDS = Uint8Array.from([0, 4, 3, 6, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 3, 3, 4, 3, 3]);
const PER_VLEN_WORDS = Uint8Array.from([0, 0, 0, 0, 3, 3, 2, 0, 0, 0, 0, 0, 0, 2, 0, 3, 0, 0, 0, 3]);

const REF_KINDS = new Map<number, BtfRef['kind']>([
  [BtfKind.PTR, 'ptr'], [BtfKind.TYPEDEF, 'typedef'], [BtfKind.VOLATILE, 'volatile'], [BtfKind.CONST, 'const'],
  [BtfKind.RESTRICT, 'restrict'], [BtfKind.TYPE_TAG, 'type_tag'],
]);

const ALL_KINDS: readonly number[] = KIND_NAMES.map((_, k) => k).slice(1);

const VOID: BtfType = { kind: 'void', id: 0, name: 'void' };

function linkage(v: number): Linkage {
  return LINKAGES[v] ?? 'global';
}

// FNV-1a: cheap, and good enough to keep chains at about one entry.
function hashBytes(s: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ s[i]!, 0x01000193);
  return h >>> 0;
}

function hashCString(s: Uint8Array, start: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < s.length; i++) {
    const c = s[i]!;
    if (c === 0) break;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h >>> 0;
}

function bytesAt(s: Uint8Array, start: number, needle: Uint8Array): boolean {
  if (start + needle.length >= s.length || s[start + needle.length] !== 0) return false;
  for (let i = 0; i < needle.length; i++) if (s[start + i] !== needle[i]) return false;
  return true;
}

function latin1(s: Uint8Array, start: number, end: number): string {
  // Short names dominate; fromCharCode avoids Buffer allocation for them.
  if (end - start <= 24) {
    let r = '';
    for (let i = start; i < end; i++) r += String.fromCharCode(s[i]!);
    return r;
  }
  return Buffer.from(s.buffer, s.byteOffset + start, end - start).toString('latin1');
}

export const KERNEL_BTF_DIR = '/sys/kernel/btf';

let vmlinux: Btf | undefined;

/** Reads and parses a BTF file (a split one needs its base). */
export function loadBtf(path: string, base?: Btf): Btf {
  return Btf.parse(readFileSync(path), base);
}

/** The running kernel's BTF, read once per process. */
export function vmlinuxBtf(): Btf {
  return (vmlinux ??= loadBtf(`${KERNEL_BTF_DIR}/vmlinux`));
}

/** The running kernel's BTF, or null when it has none (then only classic tracepoints work). */
export function vmlinuxBtfOrNull(): Btf | null {
  if (noVmlinuxBtf) return null;
  try {
    return vmlinuxBtf();
  } catch {
    noVmlinuxBtf = true;
    return null;
  }
}
let noVmlinuxBtf = false;

const modules = new Map<string, Btf>();

/** A loaded module's split BTF, based on vmlinux's. */
export function moduleBtf(module: string): Btf {
  let b = modules.get(module);
  if (!b) {
    if (module === 'vmlinux' || module.includes('/')) throw new BtfError(`'${module}' is not a module name`);
    b = loadBtf(`${KERNEL_BTF_DIR}/${module}`, vmlinuxBtf());
    modules.set(module, b);
  }
  return b;
}

/** Names of loaded modules that carry BTF. */
export function modulesWithBtf(): string[] {
  try {
    return readdirSync(KERNEL_BTF_DIR).filter((n) => n !== 'vmlinux').sort();
  } catch {
    return [];
  }
}
