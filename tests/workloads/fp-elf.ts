// A tiny static x86-64 program written byte by byte, for user-stack tests without a compiler:
// `_start` calls OUTER, OUTER calls INNER (both keep frame pointers), INNER makes one system
// call, then `_start` calls exit_group(0). It lives for microseconds. Its .symtab names the three
// functions and it has a GNU build ID, so a stack taken at the system call is, exactly:
//
//   INNER+0xb, OUTER+0x9, START+0x7   (the kernel's frame-pointer walk stops at _start's rbp 0)

import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';

export interface FramePointerProgram {
  /** Function names: the entry point, its callee, and the function making the system call. */
  start: string;
  outer: string;
  inner: string;
  /** The x86-64 system call INNER makes (39: getpid). */
  syscall: number;
  /** 20 bytes; random unless given. */
  buildId?: Buffer;
  /**
   * OUTER calls itself until it is DEPTH frames deep, then calls INNER: the stack is INNER+0xb,
   * OUTER+0x14, OUTER+0xd (DEPTH - 1 times), START+0xc. Without it, the three frames above.
   */
  depth?: number;
}

const BASE = 0x400000;
const NOTE_AT = 0xb0;
const CODE_AT = 0x100;
/** Offsets of the three functions in the code, and the return offsets the stack shows. */
export const FRAME_OFFSETS = { inner: 0xb, outer: 0x9, start: 0x7 } as const;

function deepCode(nr: number, depth: number): { bytes: Buffer; start: [number, number]; outer: [number, number]; inner: [number, number] } {
  const outer = 0x15;
  const inner = 0x2b;
  const rel = (target: number, next: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(target - next);
    return [...b];
  };
  const le = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return [...b];
  };
  const bytes = Buffer.from([
    // _start: xor ebp,ebp; mov ebx,DEPTH; call outer; mov eax,231; xor edi,edi; syscall
    0x31, 0xed, 0xbb, ...le(depth), 0xe8, ...rel(outer, 0x0c), 0xb8, 0xe7, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05,
    // outer: push rbp; mov rbp,rsp; dec ebx; jz 1f; call outer; pop rbp; ret; 1: call inner; pop rbp; ret
    0x55, 0x48, 0x89, 0xe5, 0xff, 0xcb, 0x74, 0x07, 0xe8, ...rel(outer, outer + 13), 0x5d, 0xc3,
    0xe8, ...rel(inner, outer + 20), 0x5d, 0xc3,
    // inner: push rbp; mov rbp,rsp; mov eax,NR; syscall; pop rbp; ret
    0x55, 0x48, 0x89, 0xe5, 0xb8, ...le(nr), 0x0f, 0x05, 0x5d, 0xc3,
  ]);
  if (bytes.length !== inner + 13) throw new Error('fp-elf: bad deep layout');
  return { bytes, start: [0, outer], outer: [outer, inner - outer], inner: [inner, bytes.length - inner] };
}

function code(nr: number, depth?: number): { bytes: Buffer; start: [number, number]; outer: [number, number]; inner: [number, number] } {
  if (depth !== undefined) return deepCode(nr, depth);
  const outer = 0x10;
  const inner = 0x1b;
  const rel = (target: number, next: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(target - next);
    return [...b];
  };
  const nrBytes = Buffer.alloc(4);
  nrBytes.writeUInt32LE(nr);
  const bytes = Buffer.from([
    // _start: xor ebp,ebp; call outer; mov eax,231; xor edi,edi; syscall
    0x31, 0xed, 0xe8, ...rel(outer, 0x07), 0xb8, 0xe7, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05,
    // outer: push rbp; mov rbp,rsp; call inner; pop rbp; ret
    0x55, 0x48, 0x89, 0xe5, 0xe8, ...rel(inner, 0x19), 0x5d, 0xc3,
    // inner: push rbp; mov rbp,rsp; mov eax,NR; syscall; pop rbp; ret
    0x55, 0x48, 0x89, 0xe5, 0xb8, ...nrBytes, 0x0f, 0x05, 0x5d, 0xc3,
  ]);
  return { bytes, start: [0, outer], outer: [outer, inner - outer], inner: [inner, bytes.length - inner] };
}

/** The program's bytes. */
export function framePointerProgram(p: FramePointerProgram): Buffer {
  const buildId = p.buildId ?? randomBytes(20);
  const c = code(p.syscall, p.depth);
  const note = Buffer.alloc(12 + 4 + 20);
  note.writeUInt32LE(4, 0);
  note.writeUInt32LE(20, 4);
  note.writeUInt32LE(3, 8); // NT_GNU_BUILD_ID
  note.write('GNU\0', 12, 'latin1');
  buildId.copy(note, 16);

  const strtab = Buffer.from(`\0${p.start}\0${p.outer}\0${p.inner}\0`, 'latin1');
  const nameOff = [1, 2 + p.start.length, 3 + p.start.length + p.outer.length];
  const symtab = Buffer.alloc(24 * 4);
  const funcs = [c.start, c.outer, c.inner];
  funcs.forEach(([off, size], i) => {
    const o = 24 * (i + 1);
    symtab.writeUInt32LE(nameOff[i]!, o);
    symtab[o + 4] = 0x12; // STB_GLOBAL, STT_FUNC
    symtab.writeUInt16LE(1, o + 6); // .text
    symtab.writeBigUInt64LE(BigInt(BASE + CODE_AT + off), o + 8);
    symtab.writeBigUInt64LE(BigInt(size), o + 16);
  });
  const shnames = ['', '.text', '.note.gnu.build-id', '.symtab', '.strtab', '.shstrtab'];
  const shstrtab = Buffer.from(shnames.join('\0') + '\0', 'latin1');
  const shName = (i: number) => shnames.slice(0, i).reduce((n, s) => n + s.length + 1, 0);

  const symAt = CODE_AT + c.bytes.length + 8 - ((CODE_AT + c.bytes.length) % 8);
  const strAt = symAt + symtab.length;
  const shstrAt = strAt + strtab.length;
  const shAt = Math.ceil((shstrAt + shstrtab.length) / 8) * 8;
  const size = shAt + 64 * shnames.length;
  const f = Buffer.alloc(size);

  // ELF header
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(f, 0);
  f.writeUInt16LE(2, 16); // ET_EXEC
  f.writeUInt16LE(62, 18); // EM_X86_64
  f.writeUInt32LE(1, 20);
  f.writeBigUInt64LE(BigInt(BASE + CODE_AT), 24); // e_entry
  f.writeBigUInt64LE(64n, 32); // e_phoff
  f.writeBigUInt64LE(BigInt(shAt), 40); // e_shoff
  f.writeUInt16LE(64, 52); // e_ehsize
  f.writeUInt16LE(56, 54);
  f.writeUInt16LE(2, 56); // e_phnum
  f.writeUInt16LE(64, 58);
  f.writeUInt16LE(shnames.length, 60);
  f.writeUInt16LE(shnames.length - 1, 62); // e_shstrndx

  const phdr = (i: number, type: number, flags: number, off: number, filesz: number, align: number) => {
    const o = 64 + 56 * i;
    f.writeUInt32LE(type, o);
    f.writeUInt32LE(flags, o + 4);
    f.writeBigUInt64LE(BigInt(off), o + 8);
    f.writeBigUInt64LE(BigInt(BASE + off), o + 16);
    f.writeBigUInt64LE(BigInt(BASE + off), o + 24);
    f.writeBigUInt64LE(BigInt(filesz), o + 32);
    f.writeBigUInt64LE(BigInt(filesz), o + 40);
    f.writeBigUInt64LE(BigInt(align), o + 48);
  };
  phdr(0, 1, 5, 0, size, 0x1000); // PT_LOAD R+X: the whole file
  phdr(1, 4, 4, NOTE_AT, note.length, 4); // PT_NOTE

  note.copy(f, NOTE_AT);
  c.bytes.copy(f, CODE_AT);
  symtab.copy(f, symAt);
  strtab.copy(f, strAt);
  shstrtab.copy(f, shstrAt);

  const shdr = (i: number, type: number, flags: number, off: number, sz: number, link = 0, info = 0, align = 1, entsize = 0) => {
    const o = shAt + 64 * i;
    f.writeUInt32LE(shName(i), o);
    f.writeUInt32LE(type, o + 4);
    f.writeBigUInt64LE(BigInt(flags), o + 8);
    f.writeBigUInt64LE(BigInt(flags & 2 ? BASE + off : 0), o + 16);
    f.writeBigUInt64LE(BigInt(off), o + 24);
    f.writeBigUInt64LE(BigInt(sz), o + 32);
    f.writeUInt32LE(link, o + 40);
    f.writeUInt32LE(info, o + 44);
    f.writeBigUInt64LE(BigInt(align), o + 48);
    f.writeBigUInt64LE(BigInt(entsize), o + 56);
  };
  shdr(1, 1, 6, CODE_AT, c.bytes.length, 0, 0, 16); // .text: SHF_ALLOC | SHF_EXECINSTR
  shdr(2, 7, 2, NOTE_AT, note.length, 0, 0, 4); // .note.gnu.build-id
  shdr(3, 2, 0, symAt, symtab.length, 4, 1, 8, 24); // .symtab: link .strtab, first global 1
  shdr(4, 3, 0, strAt, strtab.length);
  shdr(5, 3, 0, shstrAt, shstrtab.length);
  return f;
}

/** Writes the program to `path`, executable. */
export function writeFramePointerProgram(path: string, p: FramePointerProgram): void {
  writeFileSync(path, framePointerProgram(p));
  chmodSync(path, 0o755);
}
