// SystemTap SDT (USDT) probe notes (.note.stapsdt, as <sys/sdt.h> lays them out) and their argument specs.

import { cstr, u64 } from './elf-bytes.js';
import type { ElfFile } from './elf.js';

/** NT_STAPSDT, owner "stapsdt". */
const NT_STAPSDT = 3;

export interface UsdtProbe {
  readonly provider: string;
  readonly name: string;
  /** Probe address (link-time vaddr), already adjusted for .stapsdt.base. */
  readonly pc: number;
  /** The .stapsdt.base address recorded in the note. */
  readonly base: number;
  /** Semaphore vaddr (adjusted like `pc`), 0 when the probe has none. */
  readonly semaphore: number;
  /** The uprobe offset of `pc`. */
  readonly fileOffset: number | undefined;
  /** The file offset of the semaphore: a uprobe's ref_ctr_offset. */
  readonly semaphoreOffset: number | undefined;
  /** The raw argument string, e.g. `8@%rbx -4@112(%rsp)`. */
  readonly argsText: string;
  readonly args: readonly UsdtArg[];
}

export type UsdtLocation =
  | { readonly kind: 'reg'; readonly reg: string }
  | { readonly kind: 'mem'; readonly base: string; readonly offset: number; readonly index?: string; readonly scale?: number; readonly symbol?: string }
  | { readonly kind: 'imm'; readonly value: bigint }
  | { readonly kind: 'unknown' };

export interface UsdtArg {
  /** Bytes: 1, 2, 4 or 8 (8 when the spec gives no size). */
  readonly size: number;
  readonly signed: boolean;
  readonly text: string;
  readonly loc: UsdtLocation;
}

/** Reads the probes of `elf`; [] when it has no .note.stapsdt. */
export function readUsdtProbes(elf: ElfFile): UsdtProbe[] {
  const notes = elf.notes('.note.stapsdt').filter((n) => n.name === 'stapsdt' && n.type === NT_STAPSDT);
  if (notes.length === 0) return [];
  // Prelink and similar tools move sections after the notes were written; the distance
  // between the note's recorded base and the real .stapsdt.base section is the correction.
  const baseSec = elf.section('.stapsdt.base');
  const out: UsdtProbe[] = [];
  for (const n of notes) {
    const d = n.desc;
    if (d.length < 24) continue;
    let pc = u64(d, 0);
    const base = u64(d, 8);
    let semaphore = u64(d, 16);
    if (baseSec && base !== 0) {
      const delta = baseSec.addr - base;
      pc += delta;
      if (semaphore !== 0) semaphore += delta;
    }
    let p = 24;
    const provider = cstr(d, p);
    p += Buffer.byteLength(provider, 'latin1') + 1;
    const name = cstr(d, p);
    p += Buffer.byteLength(name, 'latin1') + 1;
    const argsText = cstr(d, p);
    out.push({
      provider, name, pc, base, semaphore,
      fileOffset: elf.vaddrToOffset(pc),
      semaphoreOffset: semaphore === 0 ? undefined : elf.vaddrToOffset(semaphore),
      argsText, args: parseUsdtArgs(argsText),
    });
  }
  return out;
}

/** Parses a probe's space-separated `[-]size@operand` list (x86-64 AT&T operands). */
export function parseUsdtArgs(text: string): UsdtArg[] {
  return text.split(/\s+/).filter((s) => s !== '').map(parseUsdtArg);
}

export function parseUsdtArg(text: string): UsdtArg {
  const m = /^(-?)(\d+)@(.*)$/.exec(text);
  const signed = m ? m[1] === '-' : false;
  const size = m ? Number(m[2]) : 8;
  return { size, signed, text, loc: parseOperand(m ? m[3]! : text) };
}

function parseOperand(op: string): UsdtLocation {
  let m = /^%([a-z0-9]+)$/.exec(op);
  if (m) return { kind: 'reg', reg: m[1]! };
  m = /^\$(-?(?:0x[0-9a-f]+|\d+))$/i.exec(op);
  if (m) return { kind: 'imm', value: BigInt(m[1]!.replace(/^-/, '')) * (m[1]!.startsWith('-') ? -1n : 1n) };
  // disp(%base[,%index[,scale]]) where disp is a number, empty, or symbol[+-number] (RIP-relative data).
  m = /^([A-Za-z_.$][\w.$@]*)?([+-]?(?:0x[0-9a-f]+|\d+))?\(%([a-z0-9]+)(?:,%([a-z0-9]+)(?:,(\d+))?)?\)$/i.exec(op);
  if (m) {
    const loc: { kind: 'mem'; base: string; offset: number; index?: string; scale?: number; symbol?: string } =
      { kind: 'mem', base: m[3]!, offset: m[2] ? parseSigned(m[2]) : 0 };
    if (m[1]) loc.symbol = m[1];
    if (m[4]) {
      loc.index = m[4];
      loc.scale = m[5] ? Number(m[5]) : 1;
    }
    return loc;
  }
  return { kind: 'unknown' };
}

function parseSigned(s: string): number {
  const neg = s.startsWith('-');
  const body = s.replace(/^[+-]/, '');
  const v = Number(body);
  return neg ? -v : v;
}

/** pt_regs slot names (`ax`, `r8`, `ip`...) for the x86-64 register names USDT specs use, subregisters included. */
export function ptRegsName(reg: string): string | undefined {
  const r = reg.toLowerCase();
  const legacy: Record<string, string> = {
    rax: 'ax', eax: 'ax', ax: 'ax', al: 'ax', ah: 'ax',
    rbx: 'bx', ebx: 'bx', bx: 'bx', bl: 'bx', bh: 'bx',
    rcx: 'cx', ecx: 'cx', cx: 'cx', cl: 'cx', ch: 'cx',
    rdx: 'dx', edx: 'dx', dx: 'dx', dl: 'dx', dh: 'dx',
    rsi: 'si', esi: 'si', si: 'si', sil: 'si',
    rdi: 'di', edi: 'di', di: 'di', dil: 'di',
    rbp: 'bp', ebp: 'bp', bp: 'bp', bpl: 'bp',
    rsp: 'sp', esp: 'sp', sp: 'sp', spl: 'sp',
    rip: 'ip', eip: 'ip',
  };
  if (legacy[r]) return legacy[r];
  const m = /^r(8|9|1[0-5])[dwb]?$/.exec(r);
  return m ? `r${m[1]}` : undefined;
}
