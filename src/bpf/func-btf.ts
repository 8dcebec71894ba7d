// The smallest BTF a program with callback subprograms needs: the verifier refuses to take a
// subprogram's address (ld_imm64 src=BPF_PSEUDO_FUNC, for bpf_loop / bpf_for_each_map_elem)
// unless the load carries func_info, one record per subprogram naming a BTF FUNC.
//
// The blob holds `int`, `void *`, one FUNC_PROTO per arity used and one FUNC per subprogram.
// Static linkage matters for callbacks: the verifier checks a static subprogram at each call
// with the registers it really gets, so the prototypes' parameter types need not be precise. A
// subprogram marked global (FunctionInfo.globalArity) gets global linkage and a prototype of
// `long` parameters and result: the verifier checks it once, on its own.
// Layout facts (header, kinds, record sizes) are from the kernel's Documentation/bpf/btf.rst.

import type { FunctionInfo } from './program.js';

const BTF_MAGIC = 0xeb9f;
const HEADER_LEN = 24;
const KIND_INT = 1;
const KIND_PTR = 2;
const KIND_FUNC = 12;
const KIND_FUNC_PROTO = 13;
const INT_SIGNED = 1;
/** A FUNC's vlen is its linkage: 0 static, 1 global (checked once, on its own). */
const LINKAGE_GLOBAL = 1;
/** sizeof(struct bpf_func_info): insn_off, type_id. */
export const FUNC_INFO_REC_SIZE = 8;

export interface FuncBtf {
  /** The BTF blob for BPF_BTF_LOAD. */
  btf: Buffer;
  /** func_info records (FUNC_INFO_REC_SIZE bytes each), in subprogram order. */
  funcInfo: Buffer;
  count: number;
}

/** A subprogram's parameter count: the entry takes ctx; callbacks take what their helper passes. */
export type ArityOf = (f: FunctionInfo, index: number) => number;

export function funcBtf(functions: readonly FunctionInfo[], arity: ArityOf): FuncBtf {
  const strings = new StringTable();
  const types: Buffer[] = [];
  const add = (nameOff: number, kind: number, vlen: number, sizeOrType: number, extra: number[] = []): number => {
    const b = Buffer.alloc(12 + 4 * extra.length);
    b.writeUInt32LE(nameOff, 0);
    b.writeUInt32LE(((kind & 0x1f) << 24) | (vlen & 0xffff), 4);
    b.writeUInt32LE(sizeOrType, 8);
    extra.forEach((x, i) => b.writeUInt32LE(x >>> 0, 12 + 4 * i));
    types.push(b);
    return types.length; // type ids count from 1
  };
  const intId = add(strings.add('int'), KIND_INT, 0, 4, [(INT_SIGNED << 24) | 32]);
  const ptrId = add(0, KIND_PTR, 0, 0);
  let longId = 0;
  /** `n` parameters: `void *` returning int (static), or long returning long (global). */
  const protos = new Map<string, number>();
  const protoFor = (n: number, global: boolean): number => {
    if (global) longId ||= add(strings.add('long'), KIND_INT, 0, 8, [(INT_SIGNED << 24) | 64]);
    const key = `${global ? 'g' : 's'}${n}`;
    let id = protos.get(key);
    if (id === undefined) {
      const params: number[] = [];
      for (let i = 0; i < n; i++) params.push(strings.add(`a${i}`), global ? longId : ptrId);
      id = add(0, KIND_FUNC_PROTO, n, global ? longId : intId, params);
      protos.set(key, id);
    }
    return id;
  };
  const funcInfo = Buffer.alloc(FUNC_INFO_REC_SIZE * functions.length);
  functions.forEach((f, i) => {
    const global = f.globalArity !== undefined;
    const proto = protoFor(global ? f.globalArity! : arity(f, i), global);
    const id = add(strings.add(identifier(f.name, i)), KIND_FUNC, global ? LINKAGE_GLOBAL : 0 /* static */, proto);
    funcInfo.writeUInt32LE(f.start, FUNC_INFO_REC_SIZE * i);
    funcInfo.writeUInt32LE(id, FUNC_INFO_REC_SIZE * i + 4);
  });
  const typeBytes = Buffer.concat(types);
  const strBytes = strings.bytes();
  const header = Buffer.alloc(HEADER_LEN);
  header.writeUInt16LE(BTF_MAGIC, 0);
  header.writeUInt8(1, 2); // version
  header.writeUInt8(0, 3); // flags
  header.writeUInt32LE(HEADER_LEN, 4);
  header.writeUInt32LE(0, 8); // type_off
  header.writeUInt32LE(typeBytes.length, 12);
  header.writeUInt32LE(typeBytes.length, 16); // str_off
  header.writeUInt32LE(strBytes.length, 20);
  return { btf: Buffer.concat([header, typeBytes, strBytes]), funcInfo, count: functions.length };
}

/** BTF names must be C identifiers; ours are labels like `fe.cb3`. */
function identifier(name: string, index: number): string {
  const s = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(s) ? s : `f${index}_${s}`;
}

class StringTable {
  private readonly parts: string[] = ['\0'];
  private size = 1;
  private readonly offsets = new Map<string, number>();
  add(s: string): number {
    let off = this.offsets.get(s);
    if (off === undefined) {
      off = this.size;
      this.parts.push(s + '\0');
      this.size += s.length + 1;
      this.offsets.set(s, off);
    }
    return off;
  }
  bytes(): Buffer {
    return Buffer.from(this.parts.join(''), 'latin1');
  }
}
