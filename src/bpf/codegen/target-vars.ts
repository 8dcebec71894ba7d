// $target variables in kernel handlers: tracepoint arguments and fields, BTF member chains,
// @cast, @defined, bitfields, pretty printing, and kprobe arguments from pt_regs.

import { SemanticError } from '../../diag/errors.js';
import type * as A from '../../parse/ast.js';
import type { Token } from '../../parse/token.js';
import { memberOf, resolved, sizeof } from '../../runtime/meta/btf-layout.js';
import { R0, R1, R6, R7 } from '../insn.js';
import { prettyPrintCall } from './pretty.js';
import type { Target, TargetVars } from './targets.js';
import type { TraceField } from '../../runtime/meta/tracefs.js';
import { narrowIntType } from './c-int.js';
import type { Btf } from '../../runtime/meta/btf.js';
import { unsupported, describeExpr, castType, chainTypeOf, registerOffset, memberBase } from './shared.js';
import type { ProbeGen } from './gen.js';

type TracefsVars = Extract<TargetVars, { kind: 'tracefs' }>;

/** A classic tracepoint field's C type is looked up in the kernel's BTF: without it, no `->`, `[i]` or `$field$`. */
const noFieldTypes = (f: TraceField, tok: Token) => unsupported(`the C type of tracepoint field '$${f.name}' without the kernel's BTF`, tok);

export const targetVarsMethods = {
  targetVar(this: ProbeGen, e: A.TargetSymbol): void {
    const a = this.a;
    const vars = this.target.vars;
    if (vars.kind === 'none') throw new SemanticError('target:none', `unable to find target variable '${e.name}' in this probe`, e.tok);
    if (vars.kind === 'tracefs') return this.tracefsField(vars, e);
    const idx = this.argIndex(vars, e);
    const type = vars.params[idx]!.type;
    // Where the value is: a u64 array (BTF-typed ctx), or a register of pt_regs (kprobes).
    const ctxOff = vars.regs ? registerOffset(vars.params[idx]!.name === 'return' ? -1 : idx, e.tok) : idx * 8;
    const btf = vars.btf;
    // Loaded straight from ctx, a pointer argument is a trusted PTR_TO_BTF_ID the verifier takes
    // for non-NULL, deciding `$p == 0` or `if ($p)` at load time although the kernel may pass
    // NULL (or small special values). Where the value itself is the result (no member is read
    // through it: `$p`, `$p->comm`, `$p->thread_info`), it is read from the ctx slot with
    // probe_read_kernel instead: a plain scalar. Chains that read a member keep the direct load
    // (their result comes back from probe_read_kernel as a scalar anyway), tested against NULL
    // first: the verifier refuses offsets from an argument it knows may be NULL (tcp_send_reset's
    // sk), and a chain through NULL reads 0, as any failed read does.
    const viaNull = this.chainReads(btf, type, e.addressof ? e.components.slice(0, -1) : e.components) ? this.fresh('argnull') : null;
    if (viaNull) {
      a.ldxDW(R0, R6, ctxOff);
      a.jmpImm('jeq', R0, 0, viaNull);
    } else {
      const slot = this.stack(8);
      this.readKernel(R6, ctxOff, slot, 8, false);
      a.ldxDW(R0, this.fp, slot);
      this.stackTop -= 8;
      // Raw tracepoints pass every argument as a u64 (an int zero-extended), fexit's return
      // slot holds an int's upper half as the callee left it: the value as its C type says.
      if (e.components.length === 0) this.extendInt(btf, type);
    }
    this.memberChain(btf, type, e.components, e.addressof, e.tok);
    if (viaNull) a.label(viaNull);
  },

  /**
   * `$field`, `$field->member...`, `$field[i]` of a classic tracepoint's record (R6). A field
   * that is an array or dynamic data (`__data_loc`) is its data's address, as stap gives an
   * array's address; `->` and `[i]` go on by the field's C type looked up in BTF.
   */
  tracefsField(this: ProbeGen, vars: TracefsVars, e: A.TargetSymbol): void {
    const f = this.tracefsFieldOf(vars, e);
    if (f.isArray || f.dataLoc) this.fieldAddress(f);
    else this.fieldValue(f);
    if (e.components.length === 0 && !e.addressof) return;
    const { btf, type, user } = this.tracefsFieldType(vars, f, e.tok);
    this.memberChain(btf, type, e.components, e.addressof, e.tok, user);
  },

  /** The record field `$name` names, or stap's error listing the others. */
  tracefsFieldOf(this: ProbeGen, vars: TracefsVars, e: A.TargetSymbol): TraceField {
    const name = e.name.slice(1);
    const f = vars.format.fields.find((x) => x.name === name);
    if (!f) throw new SemanticError('target:unknown', `unable to find tracepoint variable '${e.name}' (alternatives: ${vars.format.fields.filter((x) => !x.common).map((x) => '$' + x.name).join(' ')})`, e.tok);
    return f;
  },

  /** R0 = a scalar field of the record, as wide as its C type says. */
  fieldValue(this: ProbeGen, f: TraceField): void {
    // A field stored wider than its C type (syscall arguments) reads as the type's width.
    const narrow = f.size > 1 ? narrowIntType(f.type) : null;
    const bytes = narrow && narrow.bytes < f.size ? narrow.bytes : f.size;
    const signed = narrow && narrow.bytes < f.size ? narrow.signed : f.signed;
    const size = bytes === 8 ? 'dw' : bytes === 4 ? 'w' : bytes === 2 ? 'h' : 'b';
    if (signed && size !== 'dw') this.a.ldxs(size, R0, R6, f.offset);
    else this.a.ldx(size, R0, R6, f.offset);
  },

  /**
   * R0 = the address of an array field's bytes or of a `__data_loc`/`__rel_loc` field's data
   * (its u32 holds length << 16 | offset, from the record's start or from the field's end), as
   * a plain number. The verifier keeps anything computed from ctx a ctx pointer, which most
   * uses of a value refuse (arithmetic, a variable offset); the record's address read back
   * from a stack copy with probe_read_kernel is a scalar.
   */
  fieldAddress(this: ProbeGen, f: TraceField): void {
    const a = this.a;
    const spill = this.stack(8);
    const out = this.stack(8);
    a.stxDW(this.fp, spill, R6);
    this.readKernel(this.fp, spill, out, 8, false);
    a.ldxDW(R0, this.fp, out);
    this.stackTop -= 16;
    if (!f.dataLoc) {
      a.alu64Imm('add', R0, f.offset);
      return;
    }
    a.ldx('w', R1, R6, f.offset);
    a.alu64Imm('and', R1, 0xffff);
    a.alu64Reg('add', R0, R1);
    if (f.dataLoc === 'rel_loc') a.alu64Imm('add', R0, f.offset + f.size);
  },

  /**
   * A record field's C type in BTF, and whether what it points to is user memory: the
   * pointer fields of syscall tracepoints are the syscall's arguments, `__user` pointers
   * (the format file drops the annotation).
   */
  tracefsFieldType(this: ProbeGen, vars: TracefsVars, f: TraceField, tok: Token): { btf: Btf; type: number; user: boolean } {
    const ft = vars.types();
    if (!ft) throw noFieldTypes(f, tok);
    const type = ft.types.get(f.name);
    if (type === undefined) throw new SemanticError('target:type', `type '${f.type}' of tracepoint variable '$${f.name}' not found in the kernel's BTF`, tok);
    const user = vars.format.system === 'syscalls' && resolved(ft.btf, type).kind === 'ptr';
    return { btf: ft.btf, type, user };
  },

  /**
   * The `$$vars$` format of a record field: `%s` (its pretty printing), or null (stap's `?`)
   * for a field whose C type BTF does not describe. Without BTF at all, `$field$`'s error.
   */
  tracefsPrettyFormat(this: ProbeGen, vars: TracefsVars, f: TraceField, tok: Token): '%s' | null {
    const ft = vars.types();
    if (!ft) throw noFieldTypes(f, tok);
    return ft.types.has(f.name) ? '%s' : null;
  },

  /**
   * `->member...` from R0, a value of BTF type `type`: a pointer's value, or the address of a
   * struct or union (an embedded member, an @cast). The result in R0. `user`: the memory is a
   * process's (a syscall's pointer argument), read with probe_read_user.
   */
  memberChain(this: ProbeGen, btf: Btf, type: number, components: A.TargetComponent[], addressof = false, tok: Token | null = null, user = false): void {
    const a = this.a;
    if (addressof && components.length === 0) throw unsupported('& of a value that is not a member', tok ?? this.probe.tok);
    for (const [k, c] of components.entries()) {
      const last = k === components.length - 1;
      if (c.type === 'pretty') throw unsupported('pretty printing of $variables', c.tok);
      const cur = resolved(btf, type);
      if (c.type === 'literal_index' || c.type === 'expr_index') {
        // `[i]` of an array (R0 its address) or through a pointer (R0 its value): the element's
        // address, then its value unless it is an aggregate or its address was asked for.
        if (cur.kind !== 'array' && cur.kind !== 'ptr') throw new SemanticError('target:notarray', `'[...]' on a value that is neither an array nor a pointer`, c.tok);
        const elem = cur.type;
        const size = sizeof(btf, elem) ?? 8;
        if (c.type === 'literal_index') {
          if (cur.kind === 'array' && cur.nelems > 0 && (c.index < 0n || c.index >= BigInt(cur.nelems))) {
            throw new SemanticError('target:index', `index ${c.index} is out of range for an array of ${cur.nelems}`, c.tok);
          }
          a.alu64Imm('add', R0, Number(c.index) * size);
        } else {
          const base = this.stack(8);
          a.stxDW(this.fp, base, R0);
          this.long(c.index);
          a.alu64Imm('mul', R0, size);
          a.ldxDW(R1, this.fp, base);
          a.alu64Reg('add', R0, R1);
          this.stackTop -= 8;
        }
        type = elem;
        if (!(addressof && last)) this.readValue(btf, elem, 0, user);
        continue;
      }
      // R0 is a pointer's value or the address of an embedded struct/union; `->` is member
      // access either way (as in stap): through a pointer by reading, within an embedded
      // aggregate by its offset from the address R0 already holds.
      const base = memberBase(cur, type);
      if (base === null) throw new SemanticError('target:notptr', `'->${c.member}' on a value that is not a pointer`, c.tok);
      const m = memberOf(btf, base, c.member);
      if (!m) throw new SemanticError('target:member', `unable to find member '${c.member}'`, c.tok);
      const mt = resolved(btf, m.type);
      if (addressof && last) {
        // `&...->member`: the member's address, not its value.
        if (m.bitSize) throw new SemanticError('target:bitfield', `cannot take the address of bitfield '${c.member}'`, c.tok);
        a.alu64Imm('add', R0, m.bitOffset / 8);
        continue;
      }
      if (m.bitSize) this.readBitfield(m.bitOffset, m.bitSize, mt.kind === 'int' && mt.signed, c.tok, user);
      else this.readValue(btf, m.type, m.bitOffset / 8, user);
      type = m.type;
    }
  },

  /**
   * R0 = the value of BTF type `type` at R0 + `off`, read with probe_read_kernel (safe for any
   * address; 0 when unreadable), or probe_read_user for `user` memory; an aggregate (array,
   * struct, union) stays an address.
   */
  readValue(this: ProbeGen, btf: Btf, type: number, off: number, user = false): void {
    const a = this.a;
    const t = resolved(btf, type);
    if (t.kind === 'array' || t.kind === 'struct' || t.kind === 'union') {
      // An aggregate: its address (for kernel_string or further -> and [i]).
      if (off) a.alu64Imm('add', R0, off);
      return;
    }
    const size = sizeof(btf, type) ?? 8;
    const slot = this.stack(8);
    this.readMemory(R0, off, slot, Math.min(size, 8), user);
    const signed = t.kind === 'int' && t.signed;
    const sz = size >= 8 ? 'dw' : size === 4 ? 'w' : size === 2 ? 'h' : 'b';
    if (signed && sz !== 'dw') a.ldxs(sz, R0, this.fp, slot);
    else a.ldx(sz, R0, this.fp, slot);
    this.stackTop -= 8;
  },

  /** `$var$`, `$var->x$$`, `@cast(p, "t")$`: stap's pretty printing (pretty.ts) of the value's BTF type. */
  prettyPrint(this: ProbeGen, e: A.TargetSymbol | A.CastOp): number {
    const inner = e.components.slice(0, -1);
    let btf: Btf;
    let type: number;
    let user = false;
    const vars = this.target.vars;
    if (e.kind === 'cast_op') ({ btf, type } = this.castBase(e));
    else if (vars.kind === 'tracefs') ({ btf, type, user } = this.tracefsFieldType(vars, this.tracefsFieldOf(vars, e), e.tok));
    else if (vars.kind === 'btf_args') {
      btf = vars.btf;
      type = vars.params[this.argIndex(vars, e)]!.type;
    } else throw new SemanticError('target:none', `unable to find target variable '${e.name}' in this probe`, e.tok);
    const end = chainTypeOf(btf, type, inner);
    if (end === undefined) throw new SemanticError('target:member', `unable to resolve '${describeExpr(e)}'`, e.tok);
    return this.sprintf(prettyPrintCall(btf, e, end, { user }));
  },

  /**
   * R0 = the bitfield `bits` wide at `bitOffset` bits from the address in R0 (little-endian bit
   * numbering, as BTF gives it on x86_64 and arm64): the bytes holding it read into a zeroed
   * word, shifted to the top and back down (arithmetically for a signed field).
   */
  readBitfield(this: ProbeGen, bitOffset: number, bits: number, signed: boolean, tok: Token, user = false): void {
    const a = this.a;
    const shift = bitOffset % 8;
    const bytes = Math.ceil((shift + bits) / 8);
    if (bytes > 8) throw unsupported('a bitfield spanning more than 8 bytes', tok);
    const slot = this.stack(8);
    this.readMemory(R0, Math.floor(bitOffset / 8), slot, bytes, user);
    a.ldxDW(R0, this.fp, slot);
    if (64 - shift - bits > 0) a.alu64Imm('lsh', R0, 64 - shift - bits);
    if (bits < 64) a.alu64Imm(signed ? 'arsh' : 'rsh', R0, 64 - bits);
    this.stackTop -= 8;
  },

  /**
   * `@cast(p, "type"[, "kernel"])->member...`: p as the address of a kernel struct or union
   * named in vmlinux BTF (`task_struct`, `struct sock`), its members read as for `$arg->`.
   */
  castOp(this: ProbeGen, e: A.CastOp): void {
    const { btf, type } = this.castBase(e);
    this.long(e.operand);
    this.memberChain(btf, type, e.components, e.addressof, e.tok);
  },

  /** The BTF and the type an @cast names, or the errors stap gives. */
  castBase(this: ProbeGen, e: A.CastOp): { btf: Btf; type: number } {
    const btf = this.getBtf();
    if (!btf) throw new SemanticError('cast:btf', `@cast needs the kernel's BTF (/sys/kernel/btf/vmlinux)`, e.tok);
    if (e.module && !/^kernel(<.*>)?$/.test(e.module)) throw unsupported(`@cast into module "${e.module}"`, e.tok);
    const type = castType(btf, e.typeName);
    if (type === undefined) throw new SemanticError('cast:type', `type definition '${e.typeName}' not found in the kernel's BTF`, e.tok);
    return { btf, type };
  },

  /** The index of `$name` among a BTF-typed probe's arguments, or stap's error listing them. */
  argIndex(this: ProbeGen, vars: Extract<Target['vars'], { kind: 'btf_args' }>, e: A.TargetSymbol): number {
    const idx = vars.params.findIndex((p) => p.name === e.name.slice(1));
    if (idx < 0) throw new SemanticError('target:unknown', `unable to find tracepoint variable '${e.name}' (alternatives: ${vars.params.map((p) => '$' + p.name).join(' ')})`, e.tok);
    return idx;
  },

  /**
   * pid2task(pid): the task_struct address of a process id (0 when there is none), from the
   * bpf_task_from_pid kfunc (Linux 6.2). The reference it takes is dropped at once, the address
   * kept as a number (through map memory: the verifier lets root store a pointer there) for
   * @cast reads, which tolerate a task that goes away meanwhile, as stap's pid2task does.
   */
  pid2task(this: ProbeGen, e: A.FunctionCall): void {
    const a = this.a;
    if (this.getBtf()?.find('func', 'bpf_task_from_pid') === undefined) throw unsupported('pid2task() on a kernel without bpf_task_from_pid', e.tok);
    const none = this.fresh('notask');
    const slot = this.scratch(8);
    this.long(e.args[0]!);
    a.mov32Reg(R1, R0);
    a.callKfunc('bpf_task_from_pid');
    a.jmpImm('jeq', R0, 0, none);
    a.stxDW(R7, slot, R0);
    a.mov64Reg(R1, R0);
    a.callKfunc('bpf_task_release');
    a.ldxDW(R0, R7, slot);
    a.label(none);
  },

  /** R0 (a 64-bit slot) as the BTF integer type `type`: sign- or zero-extended from its size. */
  extendInt(this: ProbeGen, btf: Btf, type: number): void {
    const t = resolved(btf, type);
    const size = t.kind === 'int' ? t.size : t.kind === 'enum' ? t.size : 8;
    if (size >= 8) return;
    const signed = t.kind === 'int' ? t.signed : t.kind === 'enum' && t.signed;
    if (signed) {
      // Shifts rather than movsx (cpu v4, Linux 6.6): any kernel with tp_btf runs them.
      this.a.alu64Imm('lsh', R0, 64 - 8 * size);
      this.a.alu64Imm('arsh', R0, 64 - 8 * size);
    } else if (size === 4) this.a.mov32Reg(R0, R0);
    else this.a.alu64Imm('and', R0, size === 2 ? 0xffff : 0xff);
  },

  /** Whether a `$arg->...` chain reads some member (rather than only adding offsets to the argument). */
  chainReads(this: ProbeGen, btf: Btf, type: number, components: A.TargetSymbol['components']): boolean {
    for (const c of components) {
      if (c.type !== 'member') return false;
      const cur = resolved(btf, type);
      const base = memberBase(cur, type);
      const m = base === null ? undefined : memberOf(btf, base, c.member);
      if (!m) return false; // the walk reports the error
      const k = resolved(btf, m.type).kind;
      if (k !== 'array' && k !== 'struct' && k !== 'union') return true;
      type = m.type;
    }
    return false;
  },
};

export type TargetVarsMethods = typeof targetVarsMethods;
