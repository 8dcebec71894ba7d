// /proc/kallsyms: addresses in typed arrays, names decoded on demand, address → symbol+offset.

import { readProcFile } from './procfile.js';

export interface KernelSymbol {
  readonly name: string;
  readonly address: bigint;
  /** nm-style type letter: T/t text, W/w weak, D/d data, R/r rodata, B/b bss... */
  readonly type: string;
  /** undefined for the kernel image itself; the module name otherwise (also `bpf`, `__builtin__ftrace`). */
  readonly module: string | undefined;
}

export interface Symbolized {
  readonly name: string;
  readonly offset: number;
  /** Distance to the next symbol's address (stap's `symdata` `/0x...`); undefined for the last one. */
  readonly size: number | undefined;
  readonly address: bigint;
  readonly module: string | undefined;
}

/** Typed arrays that may be views (subarray) of a larger buffer. */
type U32 = Uint32Array<ArrayBufferLike>;

const HEX = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let i = 0; i < 10; i++) t[48 + i] = i;
  for (let i = 0; i < 6; i++) {
    t[97 + i] = 10 + i;
    t[65 + i] = 10 + i;
  }
  return t;
})();

/** A snapshot of /proc/kallsyms. Addresses are split into 32-bit halves so no BigInt is made while parsing. */
export class Kallsyms {
  /** Number of symbols with an address (zeroed and absolute entries are dropped). */
  readonly count: number;
  /** True when kptr_restrict hid every address (not root, or kernel.kptr_restrict=2). */
  readonly restricted: boolean;
  private readonly text: Buffer;
  private readonly hi: U32;
  private readonly lo: U32;
  /** Byte offset of each symbol's line, in address order. */
  private readonly line: U32;

  private constructor(text: Buffer, hi: U32, lo: U32,
    line: U32, restricted: boolean) {
    this.text = text;
    this.hi = hi;
    this.lo = lo;
    this.line = line;
    this.count = line.length;
    this.restricted = restricted;
  }

  /** Parses kallsyms text (`<hex addr> <type> <name>[\t[<module>]]` lines). */
  static parse(text: Buffer): Kallsyms {
    let cap = Math.max(16, (text.length / 40) | 0);
    let hi: U32 = new Uint32Array(cap);
    let lo: U32 = new Uint32Array(cap);
    let line: U32 = new Uint32Array(cap);
    let n = 0;
    let lines = 0;
    let sorted = true;
    let prevHi = 0;
    let prevLo = 0;
    const len = text.length;
    let p = 0;
    // One pass of plain byte loops: per-line native calls (indexOf, parseInt) cost more than
    // they save on 120k short lines, most of it before the JIT has warmed up.
    while (p < len) {
      const start = p;
      let h = 0;
      let l = 0;
      let c = text[p]!;
      while (c !== 32 && p < len) {
        const d = c <= 57 ? c - 48 : (c | 32) - 87;
        // Shift the top nibble of `l` into `h` so 16 hex digits fill exactly 64 bits.
        h = ((h << 4) | (l >>> 28)) >>> 0;
        l = ((l << 4) | d) >>> 0;
        c = text[++p]!;
      }
      const type = text[p + 1];
      p += 3;
      while (p < len && text[p] !== 10) p++;
      p++;
      lines++;
      // 'A'/'a' are absolute values (not addresses); zero means hidden by kptr_restrict.
      if ((h | l) === 0 || type === 65 || type === 97 || p - start < 5) continue;
      if (n === cap) {
        cap *= 2;
        hi = grow(hi, cap);
        lo = grow(lo, cap);
        line = grow(line, cap);
      }
      if (h < prevHi || (h === prevHi && l < prevLo)) sorted = false;
      prevHi = h;
      prevLo = l;
      hi[n] = h;
      lo[n] = l;
      line[n] = start;
      n++;
    }
    hi = hi.subarray(0, n);
    lo = lo.subarray(0, n);
    line = line.subarray(0, n);
    // The kernel image comes out sorted; module, ftrace and BPF symbols may not.
    if (!sorted) [hi, lo, line] = sortByAddress(hi, lo, line);
    return new Kallsyms(text, hi, lo, line, n === 0 && lines > 0);
  }

  /** Reads /proc/kallsyms (most of the time is the kernel generating the text: about 30 ms for 120k symbols). */
  static read(path = '/proc/kallsyms'): Kallsyms {
    return Kallsyms.parse(readProcFile(path));
  }

  /** The symbol at index `i` in address order. */
  at(i: number): KernelSymbol {
    const s = this.line[i]!;
    const sp = this.text.indexOf(32, s);
    const type = String.fromCharCode(this.text[sp + 1]!);
    const { name, module } = this.nameAt(sp + 3);
    return { name, address: this.addressAt(i), type, module };
  }

  private addressAt(i: number): bigint {
    return (BigInt(this.hi[i]!) << 32n) | BigInt(this.lo[i]!);
  }

  private nameAt(p: number): { name: string; module: string | undefined } {
    const t = this.text;
    let e = p;
    while (e < t.length && t[e] !== 10 && t[e] !== 9) e++;
    const name = t.toString('latin1', p, e);
    if (t[e] !== 9) return { name, module: undefined };
    const eol = t.indexOf(10, e);
    const m = t.toString('latin1', e + 1, eol < 0 ? t.length : eol).trim();
    return { name, module: m.startsWith('[') && m.endsWith(']') ? m.slice(1, -1) : m };
  }

  /**
   * The symbol containing `addr` as the kernel's %pS shows it: the nearest symbol at or
   * below, the first listed one when several share an address. Undefined below the first symbol.
   */
  symbolize(addr: bigint): Symbolized | undefined {
    if (addr < 0n || addr > 0xffffffffffffffffn) return undefined;
    const h = Number(addr >> 32n);
    const l = Number(addr & 0xffffffffn);
    const hi = this.hi;
    const lo = this.lo;
    // Upper bound: first index whose address is > addr.
    let a = 0;
    let b = this.count;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (hi[m]! < h || (hi[m] === h && lo[m]! <= l)) a = m + 1;
      else b = m;
    }
    if (a === 0) return undefined;
    let i = a - 1;
    while (i > 0 && hi[i - 1] === hi[i] && lo[i - 1] === lo[i]) i--;
    const s = this.at(i);
    // As the kernel sizes symbols (kallsyms_lookup_size_offset): up to the next address.
    const size = a < this.count ? Number(this.addressAt(a) - s.address) : undefined;
    return { name: s.name, offset: Number(addr - s.address), size, address: s.address, module: s.module };
  }

  /** `name+0xoff [module]` as stap and the kernel print it; the bare hex address when unknown. */
  format(addr: bigint): string {
    const s = this.symbolize(addr);
    if (!s) return `0x${addr.toString(16)}`;
    return `${s.name}+0x${s.offset.toString(16)}${s.module ? ` [${s.module}]` : ''}`;
  }

  /** All symbols named `name` (static functions can repeat), in address order. */
  lookup(name: string): KernelSymbol[] {
    const out = [...this.search(name, '\n'), ...this.search(name, '\t')];
    return out.sort((x, y) => (x.address < y.address ? -1 : x.address > y.address ? 1 : 0));
  }

  /** The address of a symbol named `name`, the kernel image's when there is a choice. */
  addressOf(name: string): bigint | undefined {
    const core = this.search(name, '\n');
    return (core[0] ?? this.search(name, '\t')[0])?.address;
  }

  // A byte search for " <name>\n" (kernel image) or " <name>\t" (modules) avoids decoding
  // 120k names for the rare by-name query.
  private search(name: string, end: string): KernelSymbol[] {
    const out: KernelSymbol[] = [];
    const t = this.text;
    const needle = Buffer.from(` ${name}${end}`, 'latin1');
    for (let p = t.indexOf(needle); p >= 0; p = t.indexOf(needle, p + 1)) {
      // The match must be the name column: `<addr> <type> <name>`.
      if (p < 2 || t[p - 2] !== 32) continue;
      const i = this.indexOfLine(t.lastIndexOf(10, p) + 1);
      if (i >= 0) out.push(this.at(i));
    }
    return out;
  }

  private indexOfLine(lineStart: number): number {
    const s = this.text;
    let h = 0;
    let l = 0;
    for (let p = lineStart; ; p++) {
      const d = HEX[s[p]!]!;
      if (d < 0) break;
      h = ((h << 4) | (l >>> 28)) >>> 0;
      l = ((l << 4) | d) >>> 0;
    }
    let a = 0;
    let b = this.count;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (this.hi[m]! < h || (this.hi[m] === h && this.lo[m]! < l)) a = m + 1;
      else b = m;
    }
    for (let i = a; i < this.count && this.hi[i] === h && this.lo[i] === l; i++) if (this.line[i] === lineStart) return i;
    return -1;
  }
}

function grow(a: U32, cap: number): U32 {
  const b = new Uint32Array(cap);
  b.set(a);
  return b;
}

// A stable sort keeps file order among aliases, which the kernel's lookup prefers.
function sortByAddress(hi: U32, lo: U32, line: U32): [U32, U32, U32] {
  const order = Array.from({ length: hi.length }, (_, i) => i);
  order.sort((x, y) => (hi[x]! - hi[y]!) || (lo[x]! - lo[y]!) || (x - y));
  const h = new Uint32Array(hi.length);
  const l = new Uint32Array(hi.length);
  const n = new Uint32Array(hi.length);
  for (let i = 0; i < order.length; i++) {
    const j = order[i]!;
    h[i] = hi[j]!;
    l[i] = lo[j]!;
    n[i] = line[j]!;
  }
  return [h, l, n];
}

let cached: Kallsyms | undefined;

/** The running kernel's symbols, read once per process (call `Kallsyms.read()` for a fresh copy). */
export function kallsyms(): Kallsyms {
  return (cached ??= Kallsyms.read());
}
