// The eBPF instruction set: opcode fields, registers, pseudo values, limits and the 8-byte encoding.
//
// Numbers are the kernel's (include/uapi/linux/bpf.h, bpf_common.h, Documentation/bpf/standardization/
// instruction-set.rst). An opcode byte is class (low 3 bits) | source or size (bit 3 / bits 3-4)
// | operation or mode (high bits).

/** Instruction classes (low 3 bits of the opcode). */
export const Class = {
  LD: 0x00, LDX: 0x01, ST: 0x02, STX: 0x03, ALU: 0x04, JMP: 0x05, JMP32: 0x06, ALU64: 0x07,
} as const;

/** Access sizes for LD/LDX/ST/STX (bits 3-4). */
export const Size = { W: 0x00, H: 0x08, B: 0x10, DW: 0x18 } as const;

/** Addressing modes for LD/LDX/ST/STX (bits 5-7). MEMSX is cpu v4 (6.6): sign-extending loads. */
export const Mode = { IMM: 0x00, ABS: 0x20, IND: 0x40, MEM: 0x60, MEMSX: 0x80, ATOMIC: 0xc0 } as const;

/** Operand source for ALU/JMP (bit 3): K = the imm field, X = the src register. */
export const Source = { K: 0x00, X: 0x08 } as const;

/** Byte order for ALU END (bit 3). ALU64|END|TO_LE is the unconditional bswap (cpu v4). */
export const Endian = { TO_LE: 0x00, TO_BE: 0x08 } as const;

/** ALU/ALU64 operations (high 4 bits). */
export const AluOp = {
  ADD: 0x00, SUB: 0x10, MUL: 0x20, DIV: 0x30, OR: 0x40, AND: 0x50, LSH: 0x60, RSH: 0x70,
  NEG: 0x80, MOD: 0x90, XOR: 0xa0, MOV: 0xb0, ARSH: 0xc0, END: 0xd0,
} as const;

/** JMP/JMP32 operations (high 4 bits). JCOND with src MAY_GOTO is the 6.9 `may_goto`. */
export const JmpOp = {
  JA: 0x00, JEQ: 0x10, JGT: 0x20, JGE: 0x30, JSET: 0x40, JNE: 0x50, JSGT: 0x60, JSGE: 0x70,
  CALL: 0x80, EXIT: 0x90, JLT: 0xa0, JLE: 0xb0, JSLT: 0xc0, JSLE: 0xd0, JCOND: 0xe0,
} as const;

/** The imm field of STX|ATOMIC. FETCH is a flag on ADD/OR/AND/XOR; XCHG and CMPXCHG always fetch. */
export const Atomic = {
  ADD: 0x00, OR: 0x40, AND: 0x50, XOR: 0xa0, FETCH: 0x01, XCHG: 0xe0 | 0x01, CMPXCHG: 0xf0 | 0x01,
  LOAD_ACQ: 0x100, STORE_REL: 0x110,
} as const;

/** src_reg values of the first slot of ld_imm64: what the loader/verifier substitutes. */
export const Pseudo = {
  /** imm = map fd; becomes the map pointer. */
  MAP_FD: 1,
  /** imm = map fd, second imm = offset; becomes &value[0] + offset (array maps). */
  MAP_VALUE: 2,
  /** imm = BTF id of a kernel variable (ksym). */
  BTF_ID: 3,
  /** imm = pc-relative offset of a subprogram, as a callback (bpf_loop, for_each_map_elem). */
  FUNC: 4,
  /** imm = index into the fd_array given at load. */
  MAP_IDX: 5,
  /** imm = fd_array index, second imm = offset. */
  MAP_IDX_VALUE: 6,
} as const;

/** src_reg values of JMP|CALL. */
export const CallKind = { HELPER: 0, LOCAL: 1, KFUNC: 2 } as const;

/** src_reg of JMP|JCOND meaning may_goto. */
export const MAY_GOTO = 0;
/** off of ALU DIV/MOD meaning signed (cpu v4). */
export const OFF_SIGNED = 1;
/** off of ALU64|MOV|X meaning addr_space_cast (arena pointers, 6.9). */
export const OFF_ADDR_SPACE_CAST = 1;

/** Program length limits checked by BPF_PROG_LOAD (E2BIG beyond them). */
export const MAX_INSNS_PRIVILEGED = 1_000_000; // BPF_COMPLEXITY_LIMIT_INSNS, for bpf_capable()
export const MAX_INSNS_UNPRIVILEGED = 4096; // BPF_MAXINSNS
/** The verifier's limit on subprograms (BPF_MAX_SUBPROGS). */
export const MAX_SUBPROGS = 256;

/** Bytes per instruction slot; ld_imm64 takes two slots. */
export const INSN_SIZE = 8;

export const LD_IMM64 = Class.LD | Mode.IMM | Size.DW; // 0x18
export const CALL = Class.JMP | JmpOp.CALL; // 0x85
export const EXIT = Class.JMP | JmpOp.EXIT; // 0x95
export const JA = Class.JMP | JmpOp.JA; // 0x05
export const GOTOL = Class.JMP32 | JmpOp.JA; // 0x06

/** Registers. R0 = return value, R1-R5 = arguments (clobbered by calls), R6-R9 = callee-saved, R10 = frame pointer. */
export type Reg = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;
/** Registers an instruction may write: R10 is read-only ("frame pointer is read only"). */
export type WReg = Exclude<Reg, 10>;

export const R0 = 0;
export const R1 = 1;
export const R2 = 2;
export const R3 = 3;
export const R4 = 4;
export const R5 = 5;
export const R6 = 6;
export const R7 = 7;
export const R8 = 8;
export const R9 = 9;
export const R10 = 10;
/** R10 by its role. */
export const FP = 10;

/** The friendly names the assembler takes for sizes. */
export type SizeName = 'b' | 'h' | 'w' | 'dw';
export const SIZES: Readonly<Record<SizeName, number>> = { b: Size.B, h: Size.H, w: Size.W, dw: Size.DW };

/** ALU operations by name; sdiv/smod are DIV/MOD with off = 1. */
export type AluOpName =
  | 'add' | 'sub' | 'mul' | 'div' | 'sdiv' | 'or' | 'and' | 'lsh' | 'rsh' | 'mod' | 'smod'
  | 'xor' | 'arsh' | 'mov';
export const ALU_OPS: Readonly<Record<AluOpName, { op: number; off: number }>> = {
  add: { op: AluOp.ADD, off: 0 }, sub: { op: AluOp.SUB, off: 0 }, mul: { op: AluOp.MUL, off: 0 },
  div: { op: AluOp.DIV, off: 0 }, sdiv: { op: AluOp.DIV, off: OFF_SIGNED },
  or: { op: AluOp.OR, off: 0 }, and: { op: AluOp.AND, off: 0 }, lsh: { op: AluOp.LSH, off: 0 },
  rsh: { op: AluOp.RSH, off: 0 }, mod: { op: AluOp.MOD, off: 0 }, smod: { op: AluOp.MOD, off: OFF_SIGNED },
  xor: { op: AluOp.XOR, off: 0 }, arsh: { op: AluOp.ARSH, off: 0 }, mov: { op: AluOp.MOV, off: 0 },
};

/** Conditional jumps by name (unsigned unless prefixed with s; jset = "if dst & src"). */
export type JmpOpName =
  | 'jeq' | 'jne' | 'jgt' | 'jge' | 'jlt' | 'jle' | 'jset' | 'jsgt' | 'jsge' | 'jslt' | 'jsle';
export const JMP_OPS: Readonly<Record<JmpOpName, number>> = {
  jeq: JmpOp.JEQ, jne: JmpOp.JNE, jgt: JmpOp.JGT, jge: JmpOp.JGE, jlt: JmpOp.JLT, jle: JmpOp.JLE,
  jset: JmpOp.JSET, jsgt: JmpOp.JSGT, jsge: JmpOp.JSGE, jslt: JmpOp.JSLT, jsle: JmpOp.JSLE,
};

/** Read-modify-write atomics by name. fetch_* and xchg return the old value in src; cmpxchg in R0. */
export type AtomicOpName =
  | 'add' | 'or' | 'and' | 'xor' | 'fetch_add' | 'fetch_or' | 'fetch_and' | 'fetch_xor' | 'xchg' | 'cmpxchg';
export const ATOMIC_OPS: Readonly<Record<AtomicOpName, number>> = {
  add: Atomic.ADD, or: Atomic.OR, and: Atomic.AND, xor: Atomic.XOR,
  fetch_add: Atomic.ADD | Atomic.FETCH, fetch_or: Atomic.OR | Atomic.FETCH,
  fetch_and: Atomic.AND | Atomic.FETCH, fetch_xor: Atomic.XOR | Atomic.FETCH,
  xchg: Atomic.XCHG, cmpxchg: Atomic.CMPXCHG,
};

/** One instruction slot, fields as `struct bpf_insn` holds them (off s16, imm s32). */
export interface RawInsn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

export const insnClass = (code: number): number => code & 0x07;
export const insnOp = (code: number): number => code & 0xf0;
export const insnSource = (code: number): number => code & 0x08;
export const insnSize = (code: number): number => code & 0x18;
export const insnMode = (code: number): number => code & 0xe0;

/** Writes slot `index` of `buf`: code, regs (dst low nibble, src high nibble), off LE s16, imm LE s32. */
export function encodeInsn(buf: Buffer, index: number, i: RawInsn): void {
  const at = index * INSN_SIZE;
  buf[at] = i.code;
  buf[at + 1] = ((i.src & 0x0f) << 4) | (i.dst & 0x0f);
  buf.writeInt16LE(i.off, at + 2);
  buf.writeInt32LE(i.imm, at + 4);
}

/** Reads slot `index` of `buf`. */
export function decodeInsn(buf: Buffer, index: number): RawInsn {
  const at = index * INSN_SIZE;
  const regs = buf[at + 1]!;
  return {
    code: buf[at]!,
    dst: regs & 0x0f,
    src: regs >> 4,
    off: buf.readInt16LE(at + 2),
    imm: buf.readInt32LE(at + 4),
  };
}
