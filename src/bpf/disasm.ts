// The disassembler: BPF bytes as the kernel verifier log prints them, with optional source comments (-p3).
//
// The text follows kernel/bpf/disasm.c print_bpf_insn() character for character, so a line of
// our output can be matched against the verifier's log by index and text. Where the kernel's
// text would be a run-time address (ld_imm64 of a map), we print bpftool's `map[...]` notation.

import { helperName } from './helpers.js';
import {
  AluOp, Atomic, CallKind, Class, GOTOL, INSN_SIZE, JA, JmpOp, LD_IMM64, MAY_GOTO, Mode, OFF_ADDR_SPACE_CAST,
  OFF_SIGNED, Pseudo, Size, Source, decodeInsn, insnClass, insnMode, insnOp, insnSize, insnSource,
  type RawInsn,
} from './insn.js';
import type { FunctionInfo, MapRef, Program, Relocation, Span } from './program.js';

export interface DisasmOptions<M extends MapRef = MapRef, S = Span> {
  /** Source span per slot; a `; span` line precedes each instruction whose rendered span differs from the last. */
  spans?: readonly (S | null)[];
  /** How to render a span; default `file:line` for `{file, line}` objects (file a string or `{name}`). */
  formatSpan?: (span: S) => string;
  /** Lets ld_imm64 of maps and kfunc calls print names instead of numbers. */
  relocations?: readonly Relocation<M>[];
  /** How to name a map in `map[...]`; default its `name` (a loader may print `id:N`). */
  mapLabel?: (map: M) => string;
  /** Subprogram boundaries; with `headers`, a `name:` line starts each. */
  functions?: readonly FunctionInfo[];
  /** Print subprogram headers; default: when there is more than one subprogram. */
  headers?: boolean;
}

const ALU_STR: readonly (string | undefined)[] = [
  '+=', '-=', '*=', '/=', '|=', '&=', '<<=', '>>=', 'neg', '%=', '^=', '=', 's>>=', 'endian',
];
const JMP_STR: readonly (string | undefined)[] = [
  'jmp', '==', '>', '>=', '&', '!=', 's>', 's>=', 'call', 'exit', '<', '<=', 's<', 's<=',
];
const SIZE_STR: Readonly<Record<number, string>> = { [Size.W]: 'u32', [Size.H]: 'u16', [Size.B]: 'u8', [Size.DW]: 'u64' };
const SSIZE_STR: Readonly<Record<number, string>> = { [Size.W]: 's32', [Size.H]: 's16', [Size.B]: 's8', [Size.DW]: 'BUG' };
const ATOMIC_STR: Readonly<Record<number, string>> = {
  [Atomic.ADD]: 'add', [Atomic.AND]: 'and', [Atomic.OR]: 'or', [Atomic.XOR]: 'xor',
};

/** printf's `%+d`. */
const signed = (v: number): string => (v < 0 ? `${v}` : `+${v}`);
const hex2 = (v: number): string => v.toString(16).padStart(2, '0');
/** A table entry as C's `printf("%s", table[i])` would show it, NULL included. */
const str = (s: string | undefined): string => s ?? '(null)';

/** What one instruction's rendering may need besides its own fields. */
interface Context<M> {
  next: RawInsn | null;
  reloc: Relocation<M> | undefined;
  mapLabel: (map: M) => string;
}

/**
 * One instruction as the verifier prints it after `N: `, e.g. `(b7) r1 = 4`. `next` is the
 * following slot, needed for ld_imm64.
 */
export function formatInsn<M extends MapRef = MapRef>(
  insn: RawInsn, next: RawInsn | null = null,
  reloc?: Relocation<M>, mapLabel: (map: M) => string = (m) => m.name,
): string {
  return render(insn, { next, reloc, mapLabel });
}

function render<M>(i: RawInsn, ctx: Context<M>): string {
  const code = i.code;
  const head = `(${hex2(code)}) `;
  const cls = insnClass(code);
  const op = insnOp(code);
  switch (cls) {
    case Class.ALU:
    case Class.ALU64: {
      const r = cls === Class.ALU ? 'w' : 'r';
      if (op === AluOp.END) {
        return cls === Class.ALU64
          ? `${head}r${i.dst} = bswap${i.imm} r${i.dst}`
          : `${head}r${i.dst} = ${insnSource(code) ? 'be' : 'le'}${i.imm} r${i.dst}`;
      }
      if (op === AluOp.NEG) return `${head}${r}${i.dst} = -${r}${i.dst}`;
      if (code === (Class.ALU64 | AluOp.MOV | Source.X) && i.off === OFF_ADDR_SPACE_CAST) {
        return `${head}r${i.dst} = addr_space_cast(r${i.src}, ${i.imm >>> 16}, ${i.imm & 0xffff})`;
      }
      const signedDivMod = (op === AluOp.DIV || op === AluOp.MOD) && i.off === OFF_SIGNED;
      const opStr = signedDivMod ? (op === AluOp.DIV ? 's/=' : 's%=') : str(ALU_STR[op >> 4]);
      if (insnSource(code) === Source.X) {
        const movsx = op === AluOp.MOV && (i.off === 8 || i.off === 16 || i.off === 32) ? `(s${i.off})` : '';
        return `${head}${r}${i.dst} ${opStr} ${movsx}${r}${i.src}`;
      }
      return `${head}${r}${i.dst} ${opStr} ${i.imm}`;
    }
    case Class.STX:
      return renderStx(i, head);
    case Class.ST: {
      const mode = insnMode(code);
      if (mode === Mode.MEM) return `${head}*(${SIZE_STR[insnSize(code)]} *)(r${i.dst} ${signed(i.off)}) = ${i.imm}`;
      if (mode === 0xc0) return `${head}nospec`; // BPF_NOSPEC: kernel-internal, seen in xlated dumps
      return `BUG_st_${hex2(code)}`;
    }
    case Class.LDX: {
      const mode = insnMode(code);
      if (mode !== Mode.MEM && mode !== Mode.MEMSX) return `BUG_ldx_${hex2(code)}`;
      const sz = (mode === Mode.MEM ? SIZE_STR : SSIZE_STR)[insnSize(code)];
      return `${head}r${i.dst} = *(${sz} *)(r${i.src} ${signed(i.off)})`;
    }
    case Class.LD: {
      const mode = insnMode(code);
      const sz = SIZE_STR[insnSize(code)];
      if (mode === Mode.ABS) return `${head}r0 = *(${sz} *)skb[${i.imm}]`;
      if (mode === Mode.IND) return `${head}r0 = *(${sz} *)skb[r${i.src} + ${i.imm}]`;
      if (code === LD_IMM64) return `${head}r${i.dst} = ${renderImm64(i, ctx)}`;
      return `BUG_ld_${hex2(code)}`;
    }
    default:
      return renderJmp(i, head, cls, ctx);
  }
}

function renderStx(i: RawInsn, head: string): string {
  const code = i.code;
  const sz = SIZE_STR[insnSize(code)];
  const mem = `(${sz} *)(r${i.dst} ${signed(i.off)})`;
  const w64 = insnSize(code) === Size.DW ? '64' : '';
  const mode = insnMode(code);
  if (mode === Mode.MEM) return `${head}*${mem} = r${i.src}`;
  if (mode !== Mode.ATOMIC) return `BUG_${hex2(code)}`;
  switch (i.imm) {
    case Atomic.ADD: case Atomic.AND: case Atomic.OR: case Atomic.XOR:
      return `${head}lock *${mem} ${str(ALU_STR[i.imm >> 4])} r${i.src}`;
    case Atomic.ADD | Atomic.FETCH: case Atomic.AND | Atomic.FETCH:
    case Atomic.OR | Atomic.FETCH: case Atomic.XOR | Atomic.FETCH:
      return `${head}r${i.src} = atomic${w64}_fetch_${ATOMIC_STR[i.imm & 0xf0]}(${mem}, r${i.src})`;
    case Atomic.CMPXCHG:
      return `${head}r0 = atomic${w64}_cmpxchg(${mem}, r0, r${i.src})`;
    case Atomic.XCHG:
      return `${head}r${i.src} = atomic${w64}_xchg(${mem}, r${i.src})`;
    case Atomic.LOAD_ACQ:
      return `${head}r${i.dst} = load_acquire((${sz} *)(r${i.src} ${signed(i.off)}))`;
    case Atomic.STORE_REL:
      return `${head}store_release(${mem}, r${i.src})`;
    default:
      return `BUG_${hex2(code)}`;
  }
}

function renderImm64<M>(i: RawInsn, ctx: Context<M>): string {
  const hi = ctx.next ? ctx.next.imm : 0;
  const rel = ctx.reloc;
  switch (i.src) {
    case Pseudo.MAP_FD:
      return rel?.kind === 'map_fd' ? `map[${ctx.mapLabel(rel.map)}]` : `map[fd:${i.imm}]`;
    case Pseudo.MAP_VALUE:
      return `${rel?.kind === 'map_value' ? `map[${ctx.mapLabel(rel.map)}]` : `map[fd:${i.imm}]`}[0]+${hi >>> 0}`;
    case Pseudo.MAP_IDX:
      return `map[idx:${i.imm}]`;
    case Pseudo.MAP_IDX_VALUE:
      return `map[idx:${i.imm}]+${hi >>> 0}`;
    case Pseudo.FUNC:
      return `subprog[${signed(i.imm)}]`;
    default: {
      if (!ctx.next) return '<ld_imm64 without its second slot>';
      const v = (BigInt(hi >>> 0) << 32n) | BigInt(i.imm >>> 0);
      return `0x${v.toString(16)}`;
    }
  }
}

function renderJmp<M>(i: RawInsn, head: string, cls: number, ctx: Context<M>): string {
  const code = i.code;
  const op = insnOp(code);
  if (op === JmpOp.CALL) {
    if (i.src === CallKind.LOCAL) return `${head}call pc${signed(i.imm)}`;
    let name = 'unknown';
    if (i.src === CallKind.HELPER) {
      const h = helperName(i.imm);
      if (h !== undefined) name = `bpf_${h}`;
    } else if (i.src === CallKind.KFUNC) {
      name = ctx.reloc?.kind === 'kfunc' ? ctx.reloc.name : 'kernel-function';
    }
    return `${head}call ${name}#${i.imm}`;
  }
  if (code === JA) return `${head}goto pc${signed(i.off)}`;
  if (code === (Class.JMP | JmpOp.JCOND) && i.src === MAY_GOTO) return `${head}may_goto pc${signed(i.off)}`;
  if (code === GOTOL) return `${head}gotol pc${signed(i.imm)}`;
  if (code === (Class.JMP | JmpOp.EXIT)) return `${head}exit`;
  const r = cls === Class.JMP32 ? 'w' : 'r';
  const cmp = str(JMP_STR[op >> 4]);
  if (insnSource(code) === Source.X) return `${head}if ${r}${i.dst} ${cmp} ${r}${i.src} goto pc${signed(i.off)}`;
  return `${head}if ${r}${i.dst} ${cmp} 0x${(i.imm >>> 0).toString(16)} goto pc${signed(i.off)}`;
}

/** `file:line` for span-like objects; '' for anything else. */
export function defaultFormatSpan(span: unknown): string {
  if (typeof span !== 'object' || span === null || !('file' in span) || !('line' in span)) return '';
  const { file, line } = span;
  const name = typeof file === 'object' && file !== null && 'name' in file ? file.name : file;
  if (typeof name !== 'string' || typeof line !== 'number') return '';
  return `${name}:${line}`;
}

/** Disassembles `insns` (8 bytes a slot), one `N: (code) text` line per instruction. */
export function disassemble<M extends MapRef = MapRef, S = Span>(insns: Buffer, options: DisasmOptions<M, S> = {}): string {
  const n = Math.floor(insns.length / INSN_SIZE);
  const relocAt = new Map<number, Relocation<M>>();
  for (const r of options.relocations ?? []) relocAt.set(r.insn, r);
  const starts = new Map<number, string>();
  for (const f of options.functions ?? []) starts.set(f.start, f.name);
  const headers = options.headers ?? starts.size > 1;
  const fmt = options.formatSpan ?? ((s: S) => defaultFormatSpan(s));
  const mapLabel = options.mapLabel ?? ((m: M) => m.name);

  const out: string[] = [];
  let lastSpan: string | null = null;
  for (let i = 0; i < n; i++) {
    const name = starts.get(i);
    if (headers && name !== undefined) out.push(`${name}:`);
    const span = options.spans?.[i];
    if (span === undefined || span === null) lastSpan = null;
    else {
      const text = fmt(span);
      if (text !== lastSpan && text !== '') out.push(`; ${text}`);
      lastSpan = text;
    }
    const insn = decodeInsn(insns, i);
    const wide = insn.code === LD_IMM64;
    const next = wide && i + 1 < n ? decodeInsn(insns, i + 1) : null;
    out.push(`${i}: ${render(insn, { next, reloc: relocAt.get(i), mapLabel })}`);
    if (wide) i++;
  }
  return out.length ? out.join('\n') + '\n' : '';
}

/** Disassembles an assembled program with its spans, relocations and subprograms. */
export function disassembleProgram<M extends MapRef, S>(
  p: Program<M, S>, options: Omit<DisasmOptions<M, S>, 'spans' | 'relocations' | 'functions'> = {},
): string {
  return disassemble(p.insns, { ...options, spans: p.spans, relocations: p.relocations, functions: p.functions });
}
