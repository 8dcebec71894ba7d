// The typed BPF assembler: builder methods that append instructions, labels, subprograms and source spans.
//
// In the style of cilium/ebpf's asm package: instructions are collected with symbolic targets
// (labels, subprogram names, map references) and only `link()` turns them into bytes, so forward
// and backward jumps are written the same way. Operand order follows the kernel's own notation
// (and the disassembly): `ldxDW(dst, base, off)` is `dst = *(u64 *)(base + off)`,
// `stxDW(base, off, src)` is `*(u64 *)(base + off) = src`.

import { AsmError } from './error.js';
import { helperId, type HelperName } from './helpers.js';
import {
  ALU_OPS, ATOMIC_OPS, Atomic, AluOp, CallKind, Class, Endian, GOTOL, JA, JMP_OPS, JmpOp, LD_IMM64,
  MAY_GOTO, Mode, Pseudo, SIZES, Source,
  type AluOpName, type AtomicOpName, type JmpOpName, type RawInsn, type Reg, type SizeName, type WReg,
} from './insn.js';
import { link, type LinkOptions } from './link.js';
import { SlotBuffer } from './slots.js';
import type { MapRef, Program, Relocation, Span } from './program.js';
import { pruneUnreachable } from './prune.js';

export { AsmError };

const S32_MIN = -0x8000_0000;
const S32_MAX = 0x7fff_ffff;
const U32_MAX = 0xffff_ffff;

export class Assembler<M extends MapRef = MapRef, S = Span> {
  private readonly slots = new SlotBuffer<S>();
  private readonly labels = new Map<string, number>();
  private readonly funcs: { name: string; start: number; globalArity?: number }[];
  private readonly relocs: Relocation<M>[] = [];
  private span: S | null = null;
  private freshCount = 0;

  /** `name` names the entry subprogram (in errors and disassembly). */
  constructor(name = 'main') {
    this.funcs = [{ name, start: 0 }];
  }

  /** The source span attached to every instruction emitted from now on (sticky until changed). */
  at(span: S | null): this {
    this.span = span;
    return this;
  }

  /** The span currently attached to new instructions. */
  get currentSpan(): S | null {
    return this.span;
  }

  /** Index of the next slot to be emitted (ld_imm64 counts two). */
  get pc(): number {
    return this.slots.length;
  }

  /** A label name that no other `fresh` call returns; `hint` keeps generated code readable. */
  fresh(hint = 'L'): string {
    return `${hint}.${this.freshCount++}`;
  }

  /** Binds `name` to the next instruction. */
  label(name: string): this {
    if (this.labels.has(name)) this.fail(`label '${name}' is defined twice`);
    this.labels.set(name, this.slots.length);
    return this;
  }

  /**
   * Starts a new subprogram (a BPF-to-BPF call target) at the next instruction, and binds `name`
   * as its label. At pc 0 it renames the entry subprogram instead.
   */
  func(name: string, globalArity?: number): this {
    const f = { name, start: this.slots.length, ...(globalArity === undefined ? {} : { globalArity }) };
    if (this.slots.length === 0 && this.funcs.length === 1) this.funcs[0] = f;
    else this.funcs.push(f);
    return this.label(name);
  }

  /**
   * Moves the subprograms assembled in `other` (which must start with `func()` or be named by
   * its constructor) to the end of this program: a code generator can write a callback's body
   * in the middle of its caller's and still lay the subprograms out one after the other, as the
   * kernel requires. Label names must not clash; `other` must not be used afterwards.
   */
  append(other: Assembler<M, S>): this {
    const base = this.slots.length;
    for (const [name, at] of other.labels) {
      if (this.labels.has(name)) this.fail(`label '${name}' is defined twice`);
      this.labels.set(name, at + base);
    }
    for (const f of other.funcs) this.funcs.push({ ...f, start: f.start + base });
    for (const r of other.relocs) this.relocs.push({ ...r, insn: r.insn + base });
    this.slots.appendAll(other.slots);
    return this;
  }

  /** Appends an already-encoded slot as is (escape hatch; no validation). */
  emit(raw: RawInsn): this {
    this.slots.push(raw.code, raw.dst, raw.src, raw.off, raw.imm, this.span);
    return this;
  }

  // --- ALU ---------------------------------------------------------------------------------

  mov64Imm(dst: WReg, imm: number): this {
    return this.alu(Class.ALU64, AluOp.MOV | Source.K, dst, 0, 0, this.imm64(imm));
  }
  mov64Reg(dst: WReg, src: Reg): this {
    return this.alu(Class.ALU64, AluOp.MOV | Source.X, dst, src, 0, 0);
  }
  mov32Imm(dst: WReg, imm: number): this {
    return this.alu(Class.ALU, AluOp.MOV | Source.K, dst, 0, 0, this.imm32(imm));
  }
  mov32Reg(dst: WReg, src: Reg): this {
    return this.alu(Class.ALU, AluOp.MOV | Source.X, dst, src, 0, 0);
  }
  /** dst = (s8/s16/s32) src, sign-extended to 64 bits (cpu v4, 6.6). */
  movsx64(dst: WReg, src: Reg, bits: 8 | 16 | 32): this {
    return this.alu(Class.ALU64, AluOp.MOV | Source.X, dst, src, bits, 0);
  }
  /** w_dst = (s8/s16) w_src, sign-extended to 32 bits, upper half zeroed (cpu v4, 6.6). */
  movsx32(dst: WReg, src: Reg, bits: 8 | 16): this {
    return this.alu(Class.ALU, AluOp.MOV | Source.X, dst, src, bits, 0);
  }

  alu64Imm(op: AluOpName, dst: WReg, imm: number): this {
    return this.aluImm(Class.ALU64, op, dst, this.imm64(imm), 64);
  }
  alu64Reg(op: AluOpName, dst: WReg, src: Reg): this {
    const o = ALU_OPS[op];
    return this.alu(Class.ALU64, o.op | Source.X, dst, src, o.off, 0);
  }
  /** 32-bit ALU: operates on the low halves and zeroes the upper half of dst. */
  alu32Imm(op: AluOpName, dst: WReg, imm: number): this {
    return this.aluImm(Class.ALU, op, dst, this.imm32(imm), 32);
  }
  alu32Reg(op: AluOpName, dst: WReg, src: Reg): this {
    const o = ALU_OPS[op];
    return this.alu(Class.ALU, o.op | Source.X, dst, src, o.off, 0);
  }
  neg64(dst: WReg): this {
    return this.alu(Class.ALU64, AluOp.NEG, dst, 0, 0, 0);
  }
  neg32(dst: WReg): this {
    return this.alu(Class.ALU, AluOp.NEG, dst, 0, 0, 0);
  }
  /** dst = htobe16/32/64(dst): the low `bits` converted to big-endian, the rest zeroed. */
  be(dst: WReg, bits: 16 | 32 | 64): this {
    return this.alu(Class.ALU, AluOp.END | Endian.TO_BE, dst, 0, 0, bits);
  }
  /** dst = htole16/32/64(dst): on little-endian hosts only truncates. */
  le(dst: WReg, bits: 16 | 32 | 64): this {
    return this.alu(Class.ALU, AluOp.END | Endian.TO_LE, dst, 0, 0, bits);
  }
  /** Unconditional byte swap of the low `bits` (cpu v4, 6.6). */
  bswap(dst: WReg, bits: 16 | 32 | 64): this {
    return this.alu(Class.ALU64, AluOp.END | Endian.TO_LE, dst, 0, 0, bits);
  }

  // --- memory ------------------------------------------------------------------------------

  /** dst = *(size *)(base + off), zero-extended. */
  ldx(size: SizeName, dst: WReg, base: Reg, off: number): this {
    return this.push(Class.LDX | Mode.MEM | SIZES[size], dst, base, this.off16(off), 0);
  }
  ldxB(dst: WReg, base: Reg, off: number): this { return this.ldx('b', dst, base, off); }
  ldxH(dst: WReg, base: Reg, off: number): this { return this.ldx('h', dst, base, off); }
  ldxW(dst: WReg, base: Reg, off: number): this { return this.ldx('w', dst, base, off); }
  ldxDW(dst: WReg, base: Reg, off: number): this { return this.ldx('dw', dst, base, off); }
  /** dst = *(s8/s16/s32 *)(base + off), sign-extended (cpu v4, 6.6). */
  ldxs(size: Exclude<SizeName, 'dw'>, dst: WReg, base: Reg, off: number): this {
    return this.push(Class.LDX | Mode.MEMSX | SIZES[size], dst, base, this.off16(off), 0);
  }

  /** *(size *)(base + off) = src. */
  stx(size: SizeName, base: Reg, off: number, src: Reg): this {
    return this.push(Class.STX | Mode.MEM | SIZES[size], base, src, this.off16(off), 0);
  }
  stxB(base: Reg, off: number, src: Reg): this { return this.stx('b', base, off, src); }
  stxH(base: Reg, off: number, src: Reg): this { return this.stx('h', base, off, src); }
  stxW(base: Reg, off: number, src: Reg): this { return this.stx('w', base, off, src); }
  stxDW(base: Reg, off: number, src: Reg): this { return this.stx('dw', base, off, src); }

  /** *(size *)(base + off) = imm (a dw store sign-extends the 32-bit imm). */
  stImm(size: SizeName, base: Reg, off: number, imm: number): this {
    const v = size === 'dw' ? this.imm64(imm) : this.imm32(imm);
    return this.push(Class.ST | Mode.MEM | SIZES[size], base, 0, this.off16(off), v);
  }
  stB(base: Reg, off: number, imm: number): this { return this.stImm('b', base, off, imm); }
  stH(base: Reg, off: number, imm: number): this { return this.stImm('h', base, off, imm); }
  stW(base: Reg, off: number, imm: number): this { return this.stImm('w', base, off, imm); }
  stDW(base: Reg, off: number, imm: number): this { return this.stImm('dw', base, off, imm); }

  /**
   * Atomic read-modify-write of *(size *)(base + off) with src. fetch_* and xchg put the old
   * value in src; cmpxchg compares with R0 and puts the old value in R0.
   */
  atomic(op: AtomicOpName, size: 'w' | 'dw', base: Reg, off: number, src: Reg): this {
    return this.push(Class.STX | Mode.ATOMIC | SIZES[size], base, src, this.off16(off), ATOMIC_OPS[op]);
  }
  /** lock *(u64 *)(base + off) += src: the classic XADD, fine for shared counters. */
  atomicAdd64(base: Reg, off: number, src: Reg): this { return this.atomic('add', 'dw', base, off, src); }
  atomicAdd32(base: Reg, off: number, src: Reg): this { return this.atomic('add', 'w', base, off, src); }
  /** dst = load_acquire((size *)(base + off)) (6.15). */
  loadAcquire(size: SizeName, dst: WReg, base: Reg, off: number): this {
    return this.push(Class.STX | Mode.ATOMIC | SIZES[size], dst, base, this.off16(off), Atomic.LOAD_ACQ);
  }
  /** store_release((size *)(base + off), src) (6.15). */
  storeRelease(size: SizeName, base: Reg, off: number, src: Reg): this {
    return this.push(Class.STX | Mode.ATOMIC | SIZES[size], base, src, this.off16(off), Atomic.STORE_REL);
  }

  // --- 64-bit immediates -------------------------------------------------------------------

  /** dst = value (two slots). Accepts any int64 or uint64 value. */
  ldImm64(dst: WReg, value: bigint | number): this {
    const v = this.u64(value);
    return this.ld64(dst, 0, Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n)));
  }
  /** dst = pointer to `map`; the fd is filled in at load time (see patchMapFds). */
  ldMapFd(dst: WReg, map: M): this {
    this.relocs.push({ kind: 'map_fd', insn: this.slots.length, map });
    return this.ld64(dst, Pseudo.MAP_FD, 0, 0);
  }
  /** dst = &value[0] + offset of an array `map` (global-variable style access without a lookup). */
  ldMapValue(dst: WReg, map: M, offset: number): this {
    if (!Number.isInteger(offset) || offset < 0 || offset > U32_MAX) this.fail(`map value offset ${offset} is not a u32`);
    this.relocs.push({ kind: 'map_value', insn: this.slots.length, map, offset });
    return this.ld64(dst, Pseudo.MAP_VALUE, 0, offset | 0);
  }
  /**
   * dst = address of subprogram `fn`, as a callback argument (bpf_loop, for_each_map_elem, timers).
   * The verifier refuses this unless the load supplies BTF func_info for every subprogram
   * ("missing btf func_info", seen on 6.18); plain callLocal needs none.
   */
  ldFunc(dst: WReg, fn: string): this {
    this.ld64(dst, Pseudo.FUNC, 0, 0);
    this.slots.setTarget(this.slots.length - 2, { label: fn, kind: 'func' });
    return this;
  }

  // --- control flow ------------------------------------------------------------------------

  /** if (dst op imm) goto label; a 64-bit compare with imm sign-extended. */
  jmpImm(op: JmpOpName, dst: Reg, imm: number, label: string): this {
    return this.jump(Class.JMP | JMP_OPS[op] | Source.K, dst, 0, this.imm64(imm), label);
  }
  jmpReg(op: JmpOpName, dst: Reg, src: Reg, label: string): this {
    return this.jump(Class.JMP | JMP_OPS[op] | Source.X, dst, src, 0, label);
  }
  /** if (w_dst op imm) goto label: compares the low 32 bits. */
  jmp32Imm(op: JmpOpName, dst: Reg, imm: number, label: string): this {
    return this.jump(Class.JMP32 | JMP_OPS[op] | Source.K, dst, 0, this.imm32(imm), label);
  }
  jmp32Reg(op: JmpOpName, dst: Reg, src: Reg, label: string): this {
    return this.jump(Class.JMP32 | JMP_OPS[op] | Source.X, dst, src, 0, label);
  }
  /** goto label (16-bit offset). */
  ja(label: string): this {
    return this.jump(JA, 0, 0, 0, label);
  }
  /** goto label with a 32-bit offset (cpu v4, 6.6), for bodies longer than 32767 slots. */
  gotol(label: string): this {
    return this.jump(GOTOL, 0, 0, 0, label, 'long');
  }
  /**
   * goto label once the kernel's per-program loop budget is spent, else fall through (6.9):
   * lets the verifier accept a loop without proving it terminates.
   */
  mayGoto(label: string): this {
    return this.jump(Class.JMP | JmpOp.JCOND, 0, MAY_GOTO, 0, label);
  }
  /** Calls a kernel helper by name (`'map_lookup_elem'`) or id. Clobbers R1-R5, result in R0. */
  call(helper: HelperName | number): this {
    return this.push(Class.JMP | JmpOp.CALL, 0, CallKind.HELPER, 0, helperId(helper));
  }
  /** BPF-to-BPF call of the subprogram started with `func(fn)`. */
  callLocal(fn: string): this {
    this.push(Class.JMP | JmpOp.CALL, 0, CallKind.LOCAL, 0, 0);
    this.slots.setTarget(this.slots.length - 1, { label: fn, kind: 'call' });
    return this;
  }
  /** Calls kernel function `name`; its BTF id is a load-time relocation. */
  callKfunc(name: string): this {
    this.relocs.push({ kind: 'kfunc', insn: this.slots.length, name });
    return this.push(Class.JMP | JmpOp.CALL, 0, CallKind.KFUNC, 0, 0);
  }
  /** Returns R0 (from the program, or from a subprogram to its caller). */
  exit(): this {
    return this.push(Class.JMP | JmpOp.EXIT, 0, 0, 0, 0);
  }

  /** Resolves labels and checks the program; the assembler may keep growing afterwards. */
  link(options: LinkOptions = {}): Program<M, S> {
    if (options.pruneUnreachable) {
      const u = pruneUnreachable({ slots: this.slots, labels: this.labels, funcs: this.funcs, relocs: this.relocs });
      return link(u.slots, u.labels, u.funcs, u.relocs, options);
    }
    return link(this.slots, this.labels, this.funcs, this.relocs, options);
  }

  // --- internals ---------------------------------------------------------------------------

  private push(code: number, dst: number, src: number, off: number, imm: number): this {
    this.slots.push(code, dst, src, off, imm, this.span);
    return this;
  }

  private alu(cls: number, opSrc: number, dst: number, src: number, off: number, imm: number): this {
    return this.push(cls | opSrc, dst, src, off, imm);
  }

  private aluImm(cls: number, op: AluOpName, dst: WReg, imm: number, width: 32 | 64): this {
    const o = ALU_OPS[op];
    // The verifier rejects these outright ("div by zero", "invalid shift"); say so at the source.
    if ((o.op === AluOp.DIV || o.op === AluOp.MOD) && imm === 0) this.fail(`${op} by the constant 0`);
    if ((o.op === AluOp.LSH || o.op === AluOp.RSH || o.op === AluOp.ARSH) && (imm < 0 || imm >= width)) {
      this.fail(`shift by ${imm} is out of range for a ${width}-bit operation (0..${width - 1})`);
    }
    return this.alu(cls, o.op | Source.K, dst, 0, o.off, imm);
  }

  private jump(code: number, dst: number, src: number, imm: number, label: string, kind: 'jump' | 'long' = 'jump'): this {
    this.slots.push(code, dst, src, 0, imm, this.span, { label, kind });
    return this;
  }

  private ld64(dst: number, src: number, lo: number, hi: number): this {
    this.push(LD_IMM64, dst, src, 0, lo);
    // The second slot is all zero but for imm; the span repeats so either index maps back.
    return this.push(0, 0, 0, 0, hi);
  }

  /** imm for 64-bit contexts, where the kernel sign-extends it: values ≥ 2^31 would silently change. */
  private imm64(v: number): number {
    if (!Number.isInteger(v) || v < S32_MIN || v > S32_MAX) {
      this.fail(`immediate ${v} does not fit a sign-extended 32-bit field (use ldImm64 for 64-bit constants)`);
    }
    return v;
  }

  /** imm for 32-bit contexts: signed or unsigned 32-bit values are the same bits. */
  private imm32(v: number): number {
    if (!Number.isInteger(v) || v < S32_MIN || v > U32_MAX) this.fail(`immediate ${v} does not fit in 32 bits`);
    return v | 0;
  }

  private off16(v: number): number {
    if (!Number.isInteger(v) || v < -0x8000 || v > 0x7fff) this.fail(`memory offset ${v} does not fit in 16 bits`);
    return v;
  }

  private u64(v: bigint | number): bigint {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) {
      this.fail(`64-bit immediate ${v} is not a safe integer; pass a bigint`);
    }
    const b = BigInt(v);
    if (b < -(1n << 63n) || b >= 1n << 64n) this.fail(`immediate ${b} does not fit in 64 bits`);
    return BigInt.asUintN(64, b);
  }

  private fail(message: string): never {
    throw new AsmError(message, this.slots.length, this.span);
  }
}
