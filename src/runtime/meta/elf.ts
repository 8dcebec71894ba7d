// ELF64 little-endian files: headers, sections, PT_LOAD segments, notes, address/offset mapping.

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { cstr, u64 } from './elf-bytes.js';
import { ElfSymbolTable, type ElfSymbol } from './elf-symbols.js';
import { readUsdtProbes, type UsdtProbe } from './usdt.js';

export class ElfError extends Error {
  override name = 'ElfError';
}

export const SHT = { NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, NOTE: 7, NOBITS: 8, DYNSYM: 11 } as const;
export const PT = { LOAD: 1, DYNAMIC: 2, INTERP: 3, NOTE: 4 } as const;
export const PF = { X: 1, W: 2, R: 4 } as const;

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly entsize: number;
}

export interface ElfSegment {
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly vaddr: number;
  readonly filesz: number;
  readonly memsz: number;
  readonly align: number;
}

export interface ElfNote {
  readonly name: string;
  readonly type: number;
  readonly desc: Buffer;
}

/** `name+0xoff` of a file location, with the symbol found. */
export interface ElfSymbolized {
  readonly name: string;
  readonly offset: number;
  readonly symbol: ElfSymbol;
}

type Source = (offset: number, length: number) => Buffer;

/** An ELF file. Headers are read at open; section contents, symbols and notes on demand. */
export class ElfFile {
  /** ET_EXEC = 2, ET_DYN = 3 (PIE executables and shared libraries). */
  readonly type: number;
  readonly machine: number;
  readonly entry: number;
  readonly sections: readonly ElfSection[];
  readonly segments: readonly ElfSegment[];
  private symtab: ElfSymbolTable | undefined;
  private usdt: readonly UsdtProbe[] | undefined;

  private constructor(readonly path: string, private readonly source: Source) {
    const eh = source(0, 64);
    if (eh.length < 64 || eh.readUInt32BE(0) !== 0x7f454c46) throw new ElfError(`${path}: not an ELF file`);
    if (eh[4] !== 2) throw new ElfError(`${path}: only 64-bit ELF is supported`);
    if (eh[5] !== 1) throw new ElfError(`${path}: only little-endian ELF is supported`);
    this.type = eh.readUInt16LE(16);
    this.machine = eh.readUInt16LE(18);
    this.entry = u64(eh, 24);
    const phoff = u64(eh, 32);
    const shoff = u64(eh, 40);
    const phentsize = eh.readUInt16LE(54);
    let phnum = eh.readUInt16LE(56);
    const shentsize = eh.readUInt16LE(58);
    let shnum = eh.readUInt16LE(60);
    let shstrndx = eh.readUInt16LE(62);
    // Extended numbering (more than 0xff00 sections or 0xffff segments) lives in section header 0.
    if (shoff !== 0 && (shnum === 0 || shstrndx === 0xffff || phnum === 0xffff)) {
      const s0 = source(shoff, 64);
      if (shnum === 0) shnum = u64(s0, 32);
      if (shstrndx === 0xffff) shstrndx = s0.readUInt32LE(40);
      if (phnum === 0xffff) phnum = s0.readUInt32LE(44);
    }
    this.segments = phoff === 0 ? [] : readSegments(source(phoff, phnum * phentsize), phnum, phentsize);
    const raw = shoff === 0 ? [] : readSections(source(shoff, shnum * shentsize), shnum, shentsize);
    const shstr = raw[shstrndx];
    const names = shstr && shstr.type !== SHT.NOBITS ? source(shstr.offset, shstr.size) : Buffer.alloc(0);
    this.sections = raw.map((s) => ({ ...s, name: cstr(names, s.nameOff) }));
  }

  /** Opens a file; only its headers are read now. */
  static open(path: string): ElfFile {
    return new ElfFile(path, fileSource(path));
  }

  /** An ELF image held in memory (tests, files read elsewhere). */
  static fromBuffer(data: Buffer, path = '<memory>'): ElfFile {
    return new ElfFile(path, (offset, length) => {
      if (offset + length > data.length) throw new ElfError(`${path}: read past the end of the file`);
      return data.subarray(offset, offset + length);
    });
  }

  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** The bytes of a section (empty for SHT_NOBITS). */
  sectionData(s: ElfSection): Buffer {
    return s.type === SHT.NOBITS || s.size === 0 ? Buffer.alloc(0) : this.source(s.offset, s.size);
  }

  /** Bytes at a file offset. */
  read(offset: number, length: number): Buffer {
    return this.source(offset, length);
  }

  /** PT_LOAD segments in file order. */
  loads(): ElfSegment[] {
    return this.segments.filter((p) => p.type === PT.LOAD);
  }

  /** The file offset backing virtual address `vaddr`, if it lies in a PT_LOAD's file image. */
  vaddrToOffset(vaddr: number): number | undefined {
    for (const p of this.segments) {
      if (p.type === PT.LOAD && vaddr >= p.vaddr && vaddr < p.vaddr + p.filesz) return vaddr - p.vaddr + p.offset;
    }
    return undefined;
  }

  /** The link-time virtual address of file offset `off`, if a PT_LOAD maps it. */
  offsetToVaddr(off: number): number | undefined {
    for (const p of this.segments) {
      if (p.type === PT.LOAD && off >= p.offset && off < p.offset + p.filesz) return off - p.offset + p.vaddr;
    }
    return undefined;
  }

  /** Function symbols of .symtab and .dynsym (built on first use). */
  symbols(): ElfSymbolTable {
    return (this.symtab ??= ElfSymbolTable.fromElf(this));
  }

  /** The uprobe offset of function `name`: st_value - p_vaddr + p_offset of its PT_LOAD. */
  symbolOffset(name: string): number | undefined {
    const s = this.symbols().find(name);
    return s === undefined ? undefined : this.vaddrToOffset(s.value);
  }

  /** The function containing file offset `fileOffset` (as a uprobe or /proc/PID/maps gives it). */
  symbolize(fileOffset: number): ElfSymbolized | undefined {
    const vaddr = this.offsetToVaddr(fileOffset);
    if (vaddr === undefined) return undefined;
    const symbol = this.symbols().symbolize(vaddr);
    return symbol && { name: symbol.name, offset: vaddr - symbol.value, symbol };
  }

  /** Notes from SHT_NOTE sections, or from PT_NOTE segments when there are no section headers. */
  notes(sectionName?: string): ElfNote[] {
    const out: ElfNote[] = [];
    if (this.sections.length > 0) {
      for (const s of this.sections) {
        if (s.type === SHT.NOTE && (sectionName === undefined || s.name === sectionName)) parseNotes(this.sectionData(s), out);
      }
    } else if (sectionName === undefined) {
      for (const p of this.segments) if (p.type === PT.NOTE) parseNotes(this.source(p.offset, p.filesz), out);
    }
    return out;
  }

  /** The GNU build-id as lowercase hex, if the file has one. */
  buildId(): string | undefined {
    const n = this.notes().find((x) => x.name === 'GNU' && x.type === 3);
    return n?.desc.toString('hex');
  }

  /** SystemTap SDT (USDT) probes from .note.stapsdt, with addresses adjusted to .stapsdt.base. */
  usdtProbes(): readonly UsdtProbe[] {
    return (this.usdt ??= readUsdtProbes(this));
  }
}

interface RawSection extends Omit<ElfSection, 'name'> {
  readonly nameOff: number;
}

function readSections(b: Buffer, n: number, entsize: number): RawSection[] {
  if (entsize < 64) throw new ElfError('section header entries are too small');
  const out: RawSection[] = [];
  for (let i = 0; i < n; i++) {
    const o = i * entsize;
    out.push({
      index: i, nameOff: b.readUInt32LE(o), type: b.readUInt32LE(o + 4), flags: u64(b, o + 8),
      addr: u64(b, o + 16), offset: u64(b, o + 24), size: u64(b, o + 32), link: b.readUInt32LE(o + 40),
      info: b.readUInt32LE(o + 44), entsize: u64(b, o + 56),
    });
  }
  return out;
}

function readSegments(b: Buffer, n: number, entsize: number): ElfSegment[] {
  if (entsize < 56) throw new ElfError('program header entries are too small');
  const out: ElfSegment[] = [];
  for (let i = 0; i < n; i++) {
    const o = i * entsize;
    out.push({
      type: b.readUInt32LE(o), flags: b.readUInt32LE(o + 4), offset: u64(b, o + 8), vaddr: u64(b, o + 16),
      filesz: u64(b, o + 32), memsz: u64(b, o + 40), align: u64(b, o + 48),
    });
  }
  return out;
}

// namesz, descsz, type, then name and desc each padded to 4 bytes.
function parseNotes(b: Buffer, out: ElfNote[]): void {
  let p = 0;
  while (p + 12 <= b.length) {
    const namesz = b.readUInt32LE(p);
    const descsz = b.readUInt32LE(p + 4);
    const type = b.readUInt32LE(p + 8);
    const nameAt = p + 12;
    const descAt = nameAt + align4(namesz);
    if (descAt + descsz > b.length) break;
    out.push({ name: cstr(b.subarray(nameAt, nameAt + namesz), 0), type, desc: b.subarray(descAt, descAt + descsz) });
    p = descAt + align4(descsz);
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function fileSource(path: string): Source {
  return (offset, length) => {
    const fd = openSync(path, 'r');
    try {
      const b = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const n = readSync(fd, b, got, length - got, offset + got);
        if (n === 0) throw new ElfError(`${path}: read past the end of the file`);
        got += n;
      }
      return b;
    } finally {
      closeSync(fd);
    }
  };
}

const cache = new Map<string, ElfFile>();

/** An ElfFile shared by every caller while the file on disk (device, inode, mtime) stays the same. */
export function openElf(path: string): ElfFile {
  const st = statSync(path);
  const key = `${path}\0${st.dev}:${st.ino}:${st.mtimeMs}`;
  let e = cache.get(key);
  if (!e) {
    e = ElfFile.open(path);
    cache.set(key, e);
  }
  return e;
}

/** The uprobe file offset of function `symbol` in `path`, or undefined when it has no such function. */
export function symbolOffset(path: string, symbol: string): number | undefined {
  return openElf(path).symbolOffset(symbol);
}
