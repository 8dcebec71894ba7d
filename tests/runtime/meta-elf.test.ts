// ELF reader: a synthesized file with known layout, symbols and USDT notes; the machine's libc and python checked against readelf.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { ElfFile, PF, PT, symbolOffset } from '../../src/runtime/meta/elf.js';
import { parseUsdtArgs, ptRegsName } from '../../src/runtime/meta/usdt.js';

// --- a synthesized executable -------------------------------------------------------------------

const STT_FUNC = 2;
const STT_OBJECT = 1;
const STT_GNU_IFUNC = 10;
const STB_LOCAL = 0;
const STB_GLOBAL = 1;
const STB_WEAK = 2;

function note(name: string, type: number, desc: Buffer): Buffer {
  const n = Buffer.from(`${name}\0`, 'latin1');
  const pad = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
  const h = Buffer.alloc(12);
  h.writeUInt32LE(n.length, 0);
  h.writeUInt32LE(desc.length, 4);
  h.writeUInt32LE(type, 8);
  return Buffer.concat([h, pad(n), pad(desc)]);
}

function sdtNote(pc: number, base: number, sem: number, provider: string, name: string, args: string): Buffer {
  const d = Buffer.alloc(24);
  d.writeBigUInt64LE(BigInt(pc), 0);
  d.writeBigUInt64LE(BigInt(base), 8);
  d.writeBigUInt64LE(BigInt(sem), 16);
  return note('stapsdt', 3, Buffer.concat([d, Buffer.from(`${provider}\0${name}\0${args}\0`, 'latin1')]));
}

const BUILD_ID = Buffer.from('00112233445566778899aabbccddeeff01234567', 'hex');
const SDT_ARGS = '-4@%edi 8@-16(%rbp) 8@$42 8@sym+8(%rip) 4@(%rax,%rbx,4) 2@%r9w';

function buildElf(): Buffer {
  const f = Buffer.alloc(0x3000);
  // ELF header
  f.writeUInt32BE(0x7f454c46, 0);
  f[4] = 2; // ELFCLASS64
  f[5] = 1; // little-endian
  f[6] = 1;
  f.writeUInt16LE(2, 16); // ET_EXEC
  f.writeUInt16LE(62, 18); // EM_X86_64
  f.writeUInt32LE(1, 20);
  f.writeBigUInt64LE(0x401000n, 24);
  f.writeBigUInt64LE(0x40n, 32); // phoff
  f.writeBigUInt64LE(0x2c00n, 40); // shoff
  f.writeUInt16LE(64, 52);
  f.writeUInt16LE(56, 54);
  f.writeUInt16LE(4, 56);
  f.writeUInt16LE(64, 58);
  f.writeUInt16LE(9, 60);
  f.writeUInt16LE(8, 62);
  const buildIdNote = note('GNU', 3, BUILD_ID);
  const phdrs: [number, number, number, number, number, number][] = [
    // type, flags, offset, vaddr, filesz, memsz
    [PT.LOAD, PF.R, 0, 0x400000, 0x200, 0x200],
    [PT.LOAD, PF.R | PF.X, 0x1000, 0x401000, 0x100, 0x100],
    [PT.LOAD, PF.R | PF.W, 0x2000, 0x602000, 0x20, 0x1000],
    [PT.NOTE, PF.R, 0x180, 0x400180, buildIdNote.length, buildIdNote.length],
  ];
  phdrs.forEach(([type, flags, off, vaddr, filesz, memsz], i) => {
    const o = 0x40 + i * 56;
    f.writeUInt32LE(type, o);
    f.writeUInt32LE(flags, o + 4);
    f.writeBigUInt64LE(BigInt(off), o + 8);
    f.writeBigUInt64LE(BigInt(vaddr), o + 16);
    f.writeBigUInt64LE(BigInt(vaddr), o + 24);
    f.writeBigUInt64LE(BigInt(filesz), o + 32);
    f.writeBigUInt64LE(BigInt(memsz), o + 40);
    f.writeBigUInt64LE(0x1000n, o + 48);
  });
  buildIdNote.copy(f, 0x180);
  f.fill(0xcc, 0x1000, 0x1100);
  // Notes record .stapsdt.base as 0x601000 though the section sits at 0x602000 (as after prelink): +0x1000.
  const sdt = Buffer.concat([
    sdtNote(0x400010, 0x601000, 0x601010, 'myapp', 'start', SDT_ARGS),
    sdtNote(0x400040, 0x601000, 0, 'myapp', 'stop', ''),
  ]);
  sdt.copy(f, 0x2100);
  // string table and symbols
  const names = ['', 'alpha', 'beta', '__beta_alias', 'gamma', 'weak_w', '_weak_w', 'puts', 'data_obj', 'ifn'];
  const strOff = new Map<string, number>();
  let strtab = '';
  for (const n of names) {
    strOff.set(n, strtab.length);
    strtab += `${n}\0`;
  }
  Buffer.from(strtab, 'latin1').copy(f, 0x2800);
  const syms: [string, number, number, number, number, number][] = [
    // name, bind, type, shndx, value, size
    ['', 0, 0, 0, 0, 0],
    ['beta', STB_LOCAL, STT_FUNC, 2, 0x401020, 0x30],
    ['alpha', STB_GLOBAL, STT_FUNC, 2, 0x401000, 0x20],
    ['__beta_alias', STB_GLOBAL, STT_FUNC, 2, 0x401020, 0x30],
    ['gamma', STB_GLOBAL, STT_FUNC, 2, 0x401060, 0],
    ['_weak_w', STB_GLOBAL, STT_FUNC, 2, 0x401080, 0x10],
    ['weak_w', STB_WEAK, STT_FUNC, 2, 0x401080, 0x10],
    ['puts', STB_GLOBAL, STT_FUNC, 0, 0, 0],
    ['data_obj', STB_GLOBAL, STT_OBJECT, 4, 0x602010, 2],
    ['ifn', STB_GLOBAL, STT_GNU_IFUNC, 2, 0x4010a0, 8],
  ];
  syms.forEach(([name, bind, type, shndx, value, size], i) => {
    const o = 0x2400 + i * 24;
    f.writeUInt32LE(strOff.get(name)!, o);
    f[o + 4] = (bind << 4) | type;
    f.writeUInt16LE(shndx, o + 6);
    f.writeBigUInt64LE(BigInt(value), o + 8);
    f.writeBigUInt64LE(BigInt(size), o + 16);
  });
  // section names and headers
  const secNames = ['', '.note.gnu.build-id', '.text', '.stapsdt.base', '.probes', '.note.stapsdt', '.symtab', '.strtab', '.shstrtab'];
  const shOff = new Map<string, number>();
  let shstr = '';
  for (const n of secNames) {
    shOff.set(n, shstr.length);
    shstr += `${n}\0`;
  }
  Buffer.from(shstr, 'latin1').copy(f, 0x2a00);
  const shdrs: [string, number, number, number, number, number, number, number][] = [
    // name, type, addr, offset, size, link, info, entsize
    ['', 0, 0, 0, 0, 0, 0, 0],
    ['.note.gnu.build-id', 7, 0x400180, 0x180, buildIdNote.length, 0, 0, 0],
    ['.text', 1, 0x401000, 0x1000, 0x100, 0, 0, 0],
    ['.stapsdt.base', 1, 0x602000, 0x2000, 1, 0, 0, 0],
    ['.probes', 1, 0x602010, 0x2010, 2, 0, 0, 0],
    ['.note.stapsdt', 7, 0, 0x2100, sdt.length, 0, 0, 0],
    ['.symtab', 2, 0, 0x2400, syms.length * 24, 7, 1, 24],
    ['.strtab', 3, 0, 0x2800, strtab.length, 0, 0, 0],
    ['.shstrtab', 3, 0, 0x2a00, shstr.length, 0, 0, 0],
  ];
  shdrs.forEach(([name, type, addr, off, size, link, info, entsize], i) => {
    const o = 0x2c00 + i * 64;
    f.writeUInt32LE(shOff.get(name)!, o);
    f.writeUInt32LE(type, o + 4);
    f.writeBigUInt64LE(BigInt(addr), o + 16);
    f.writeBigUInt64LE(BigInt(off), o + 24);
    f.writeBigUInt64LE(BigInt(size), o + 32);
    f.writeUInt32LE(link, o + 40);
    f.writeUInt32LE(info, o + 44);
    f.writeBigUInt64LE(BigInt(entsize), o + 56);
  });
  return f;
}

test('synthesized ELF: headers, sections, segments, build-id', () => {
  const e = ElfFile.fromBuffer(buildElf());
  assert.equal(e.type, 2);
  assert.equal(e.machine, 62);
  assert.equal(e.entry, 0x401000);
  assert.deepEqual(e.sections.map((s) => s.name), ['', '.note.gnu.build-id', '.text', '.stapsdt.base', '.probes',
    '.note.stapsdt', '.symtab', '.strtab', '.shstrtab']);
  assert.deepEqual(e.loads().map((p) => [p.offset, p.vaddr]), [[0, 0x400000], [0x1000, 0x401000], [0x2000, 0x602000]]);
  assert.equal(e.buildId(), BUILD_ID.toString('hex'));
  assert.equal(e.vaddrToOffset(0x401010), 0x1010);
  assert.equal(e.vaddrToOffset(0x602100), undefined, '.bss-like memory has no file offset');
  assert.equal(e.offsetToVaddr(0x2010), 0x602010);
  assert.equal(e.offsetToVaddr(0x500), undefined);
});

test('synthesized ELF: function symbols, uprobe offsets and symbolization', () => {
  const e = ElfFile.fromBuffer(buildElf());
  const t = e.symbols();
  assert.deepEqual(t.all().map((s) => s.name), ['alpha', 'beta', '__beta_alias', 'gamma', '_weak_w', 'weak_w', 'ifn']);
  assert.equal(e.symbolOffset('alpha'), 0x1000);
  assert.equal(e.symbolOffset('beta'), 0x1020);
  assert.equal(e.symbolOffset('puts'), undefined, 'imports are not in the file');
  assert.equal(e.symbolOffset('data_obj'), undefined, 'objects are not functions');
  assert.equal(e.symbolOffset('alph'), undefined);
  const at = (off: number): string | undefined => {
    const s = e.symbolize(off);
    return s && `${s.name}+0x${s.offset.toString(16)}`;
  };
  assert.equal(at(0x1005), 'alpha+0x5');
  assert.equal(at(0x1025), '__beta_alias+0x5', 'an exported alias is preferred over a local name');
  assert.equal(at(0x1055), undefined, 'past the end of beta, before gamma');
  assert.equal(at(0x1070), 'gamma+0x10', 'a size-0 symbol covers up to the next one');
  assert.equal(at(0x1085), 'weak_w+0x5', 'fewer leading underscores win among aliases');
  assert.equal(e.symbolize(0x10a2)?.symbol.kind, 'ifunc');
  assert.equal(at(0x0fff), undefined);
  assert.equal(t.find('weak_w')?.bind, 'weak');
  assert.deepEqual(t.findAll('beta').map((s) => s.bind), ['local']);
  assert.equal(t.find('beta')?.value, 0x401020, 'find after findAll uses the name index');
});

test('synthesized ELF: USDT notes with the .stapsdt.base adjustment', () => {
  const e = ElfFile.fromBuffer(buildElf());
  const [start, stop] = e.usdtProbes();
  assert.ok(start && stop);
  assert.equal(start.provider, 'myapp');
  assert.equal(start.name, 'start');
  assert.equal(start.base, 0x601000);
  assert.equal(start.pc, 0x401010);
  assert.equal(start.fileOffset, 0x1010);
  assert.equal(start.semaphore, 0x602010);
  assert.equal(start.semaphoreOffset, 0x2010);
  assert.equal(start.argsText, SDT_ARGS);
  assert.equal(start.args.length, 6);
  assert.equal(stop.semaphore, 0);
  assert.equal(stop.semaphoreOffset, undefined);
  assert.equal(stop.fileOffset, 0x1040);
  assert.deepEqual(stop.args, []);
});

test('USDT argument specs', () => {
  assert.deepEqual(parseUsdtArgs(SDT_ARGS).map((a) => [a.size, a.signed, a.loc]), [
    [4, true, { kind: 'reg', reg: 'edi' }],
    [8, false, { kind: 'mem', base: 'rbp', offset: -16 }],
    [8, false, { kind: 'imm', value: 42n }],
    [8, false, { kind: 'mem', base: 'rip', offset: 8, symbol: 'sym' }],
    [4, false, { kind: 'mem', base: 'rax', offset: 0, index: 'rbx', scale: 4 }],
    [2, false, { kind: 'reg', reg: 'r9w' }],
  ]);
  assert.deepEqual(parseUsdtArgs('-8@$-5 %rax 1@weird').map((a) => [a.size, a.signed, a.loc.kind]),
    [[8, true, 'imm'], [8, false, 'reg'], [1, false, 'unknown']]);
  assert.equal(parseUsdtArgs('-8@$-5')[0]!.loc.kind === 'imm' && (parseUsdtArgs('-8@$-5')[0]!.loc as { value: bigint }).value, -5n);
  assert.deepEqual(['edi', 'r9w', 'r15', 'rip', 'al', 'xmm0'].map(ptRegsName), ['di', 'r9', 'r15', 'ip', 'ax', undefined]);
});

test('non-ELF and 32-bit input is rejected', () => {
  assert.throws(() => ElfFile.fromBuffer(Buffer.alloc(64)), /not an ELF/);
  const b = buildElf();
  b[4] = 1;
  assert.throws(() => ElfFile.fromBuffer(b), /64-bit/);
});

// --- real binaries, checked against readelf when it is installed --------------------------------

const READELF = ((): string | undefined => {
  for (const p of ['/usr/bin/readelf', '/bin/readelf']) if (existsSync(p)) return p;
  return undefined;
})();

function readelf(...args: string[]): string {
  return execFileSync(READELF!, ['-W', ...args], { encoding: 'latin1', maxBuffer: 64 << 20 });
}

/** Our own libc, as the dynamic loader mapped it into this process. */
const LIBC = ((): string | undefined => {
  const m = /\s(\/\S*\/libc\.so\.6)$/m.exec(readFileSync('/proc/self/maps', 'latin1'));
  return m?.[1];
})();

test('libc: getpid offset, symbolization and build-id', { skip: !LIBC && 'libc.so.6 is not mapped' }, () => {
  const e = ElfFile.open(LIBC!);
  assert.equal(e.type, 3);
  const getpid = e.symbols().find('getpid');
  assert.ok(getpid);
  const off = symbolOffset(LIBC!, 'getpid');
  assert.ok(off !== undefined);
  const seg = e.loads().find((p) => off >= p.offset && off < p.offset + p.filesz);
  assert.ok(seg && (seg.flags & PF.X) !== 0, 'getpid lies in an executable segment');
  assert.equal(e.symbolize(off + 1)?.name, 'getpid');
  assert.equal(e.symbolize(off + 1)?.offset, 1);
  assert.match(e.buildId() ?? '', /^[0-9a-f]{40}$/);
  if (!READELF) return;
  // The same numbers from readelf: symbol value, then the containing LOAD's offset and vaddr.
  const symLine = readelf('--dyn-syms', LIBC!).split('\n').find((l) => / FUNC .* getpid(@|$)/.test(l));
  assert.ok(symLine);
  const value = parseInt(symLine.trim().split(/\s+/)[1]!, 16);
  assert.equal(getpid.value, value);
  const loads = readelf('-l', LIBC!).split('\n').filter((l) => /^\s*LOAD\s/.test(l)).map((l) => {
    const f = l.trim().split(/\s+/);
    return { offset: parseInt(f[1]!, 16), vaddr: parseInt(f[2]!, 16), filesz: parseInt(f[4]!, 16) };
  });
  const load = loads.find((p) => value >= p.vaddr && value < p.vaddr + p.filesz)!;
  assert.equal(off, value - load.vaddr + load.offset);
  assert.match(readelf('-n', LIBC!), new RegExp(`Build ID: ${e.buildId()}`));
  assert.equal(e.sections.length, readelf('-S', LIBC!).split('\n').filter((l) => /^\s*\[\s*\d+\]/.test(l)).length);
});

const PYTHON = ['/usr/bin/python3.11', '/usr/bin/python3'].find((p) => {
  try {
    return ElfFile.open(p).usdtProbes().length > 0;
  } catch {
    return false;
  }
});

test('USDT probes of a real binary match readelf -n', { skip: (!PYTHON || !READELF) && 'no binary with .note.stapsdt, or no readelf' }, () => {
  const e = ElfFile.open(PYTHON!);
  const text = readelf('-n', PYTHON!);
  const expected = [...text.matchAll(/Provider: (\S+)\s+Name: (\S+)\s+Location: 0x([0-9a-f]+), Base: 0x([0-9a-f]+), Semaphore: 0x([0-9a-f]+)\s+Arguments: ?([^\n]*)/g)]
    .map((m) => [m[1], m[2], parseInt(m[3]!, 16), parseInt(m[4]!, 16), parseInt(m[5]!, 16), m[6]!.trim()]);
  assert.ok(expected.length > 0);
  const base = e.section('.stapsdt.base')!.addr;
  assert.deepEqual(e.usdtProbes().map((p) => [p.provider, p.name, p.pc - (base - p.base), p.base,
    p.semaphore === 0 ? 0 : p.semaphore - (base - p.base), p.argsText]), expected);
  for (const p of e.usdtProbes()) {
    assert.ok(p.fileOffset !== undefined);
    assert.equal(e.offsetToVaddr(p.fileOffset), p.pc);
    if (p.semaphore !== 0) assert.equal(e.read(p.semaphoreOffset!, 2).length, 2);
  }
});
