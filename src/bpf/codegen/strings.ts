// String expressions in kernel handlers: per-CPU scratch slots for literals, locals, globals,
// concatenation and the string-valued functions (context strings, substr, name tables, ...).

import { CONTEXT_STRINGS } from '../../elaborate/typecheck.js';
import { SemanticError } from '../../diag/errors.js';
import type * as A from '../../parse/ast.js';
import { unescapeLiteral } from '../../format/escapes.js';
import { resolved } from '../../runtime/meta/btf-layout.js';
import { R0, R1, R2, R3, R4, R7, R9 } from '../insn.js';
import type { MapSpec } from '../spec.js';
import { USER_SYMBOL_FUNCTIONS } from '../../format/usyms.js';
import { SIGNAL_COUNT, SIGNAL_SLOT, signalTable, SYSCALL_NAME_COUNT, SYSCALL_NAME_SLOT, syscallNameTable } from './name-tables.js';
import { unsupported, describeExpr } from './shared.js';
import type { ProbeGen } from './gen.js';

export const stringsMethods = {
  /** Evaluates a string expression into a word-padded scratch slot (kstrings.ts); returns its offset. */
  str(this: ProbeGen, e: A.Expr): number {
    const a = this.a;
    const ready = this.inScratch.get(e);
    if (ready !== undefined) return ready;
    a.at(e.tok);
    switch (e.kind) {
      case 'literal_string': return this.bytesLiteral(unescapeLiteral(e.value));
      case 'symbol': {
        const v = this.varOf(e);
        if (v.scope !== 'global') return this.stringLocals.get(v)!;
        const loc = this.globalLoc(e);
        if (loc.kind !== 'scalar') throw unsupported('this string', e.tok);
        const off = this.scratch(this.SLOT);
        this.ks.copy(R7, off, R9, loc.offset);
        return off;
      }
      case 'functioncall': return this.stringCall(e);
      case 'print_format':
        if (e.stream || e.hist || e.isChar) throw unsupported(`${e.name} in a kernel probe`, e.tok);
        return this.sprintf(e);
      case 'arrayindex': {
        const loc = this.arrayOf(e);
        if (loc.value !== 'string') throw unsupported(`${describeExpr(e)} as a string`, e.tok);
        return this.elementString(loc, this.key(loc, e.indexes as A.Expr[]));
      }
      case 'assignment': return this.stringAssignment(e);
      case 'concat': return this.concat(e);
      case 'ternary': {
        if (e.cond.kind === 'defined_op') return this.str(this.defined(e.cond.operand) ? e.truevalue : e.falsevalue);
        const out = this.scratch(this.SLOT);
        const els = this.fresh('stern');
        const end = this.fresh('sternend');
        this.long(e.cond);
        a.jmpImm('jeq', R0, 0, els);
        const t = this.str(e.truevalue);
        this.ks.copy(R7, out, R7, t);
        a.ja(end);
        a.label(els);
        const f = this.str(e.falsevalue);
        this.ks.copy(R7, out, R7, f);
        a.label(end);
        return out;
      }
      case 'target_symbol':
        if (CONTEXT_STRINGS.test(e.name) && (e.components.length === 0 || (e.components.length === 1 && e.components[0]!.type === 'pretty'))) {
          return this.contextString(e);
        }
        if (e.components[e.components.length - 1]?.type === 'pretty') return this.prettyPrint(e);
        throw unsupported(`${describeExpr(e)} as a string`, e.tok);
      case 'cast_op':
        if (e.components[e.components.length - 1]?.type === 'pretty') return this.prettyPrint(e);
        throw unsupported(`${describeExpr(e)} as a string`, e.tok);
      default: throw unsupported(`${describeExpr(e)} as a string`, e.tok);
    }
  },

  /**
   * `$$vars`, `$$parms` ("name=%x ..." of the tracepoint's or function's arguments, as
   * stapprobes defines them), `$$locals` (no locals without DWARF: ""), `$$return` (fexit:
   * "return=%x"), `$$name` and `$$system` (a tracepoint's name and subsystem).
   */
  contextString(this: ProbeGen, e: A.TargetSymbol): number {
    const at = this.target.attach;
    const vars = this.target.vars;
    if (e.name === '$$name' || e.name === '$$system') {
      if (at.kind !== 'tp_btf' && at.kind !== 'tracepoint') throw new SemanticError('target:none', `${e.name} is only defined in tracepoint probes`, e.tok);
      const name = at.kind === 'tp_btf' ? at.tracepoint : at.name;
      return this.bytesLiteral(e.name === '$$name' ? name : at.category);
    }
    if (vars.kind === 'none') throw new SemanticError('target:none', `unable to find target variable '${e.name}' in this probe`, e.tok);
    if (e.name === '$$return' && !(at.kind === 'function' && at.ret)) return this.bytesLiteral('');
    // stap's tracepoint expansion: each value as "name=%#x", a pointer "name=%p"; `$$vars$`
    // each as "name=%s" of its pretty printing (`$name$`); a tracefs field that is not a
    // number (an array, a dynamic string) as "name=?", stap's mark for a value it cannot show
    // (pretty printed, only a field whose C type BTF lacks).
    const pretty = e.components[0]?.type === 'pretty' ? e.components[0] : null;
    const btf = vars.kind === 'btf_args' ? vars.btf : null;
    const parts: { name: string; fmt: string | null }[] = e.name === '$$locals' ? []
      : e.name === '$$return' ? [{ name: 'return', fmt: '%#x' }]
      : vars.kind === 'tracefs'
        ? vars.format.fields.filter((f) => !f.common && !f.name.startsWith('__'))
          .map((f) => ({ name: f.name, fmt: pretty ? this.tracefsPrettyFormat(vars, f, e.tok) : f.isArray || f.dataLoc ? null : /\*/.test(f.type) ? '%p' : '%#x' }))
        : vars.params.filter((p) => p.name !== 'return' || !(at.kind === 'function' && at.ret))
          .map((p) => ({ name: p.name, fmt: pretty ? '%s' : resolved(btf!, p.type).kind === 'ptr' ? '%p' : '%#x' }));
    if (parts.length === 0) return this.bytesLiteral('');
    const call: A.PrintFormat = {
      kind: 'print_format', tok: e.tok, name: 'sprintf', stream: false, withFormat: true, withDelim: false, withNewline: false,
      isChar: false, delimiter: null, hist: null,
      format: parts.map((p) => `${p.name}=${p.fmt ?? '?'}`).join(' '),
      args: parts.filter((p) => p.fmt).map((p): A.TargetSymbol => ({
        kind: 'target_symbol', tok: e.tok, name: '$' + p.name, components: pretty ? [pretty] : [], addressof: false,
      })),
    };
    return this.sprintf(call);
  },

  /**
   * `a . b` into a fresh slot: probe_read_kernel_str copies a and tells its length, then b is
   * copied after it into what is left of the slot (truncated as stap truncates at MAXSTRINGLEN).
   */
  concat(this: ProbeGen, e: A.ConcatExpr): number {
    const l = this.str(e.left);
    return this.concatOffsets(l, this.str(e.right));
  },

  /** A constant string (latin1 bytes, cut to MAXSTRINGLEN - 1) in a fresh slot. */
  bytesLiteral(this: ProbeGen, bytes: string): number {
    const off = this.scratch(this.SLOT);
    this.ks.literal(R7, off, bytes);
    return off;
  },

  /**
   * The strings at scratch offsets `l` and `r`, joined into `out` (a fresh slot by default):
   * probe_read_kernel_str copies l and tells its length, then r goes after it into what is
   * left (MAXSTRINGLEN in all). `out` may be `l` itself (copying a string onto itself changes
   * nothing: it only measures it), but never `r`'s slot. `r` may instead be a constant in the
   * read-only map, read from there with no copy to scratch first.
   */
  concatOffsets(this: ProbeGen, l: number, r: number | { map: MapSpec; offset: number }, out: number = this.scratch(this.SLOT)): number {
    const a = this.a;
    const S = this.ks.maxLen;
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, out);
    a.mov64Imm(R2, S);
    a.mov64Reg(R3, R7);
    a.alu64Imm('add', R3, l);
    a.call('probe_read_kernel_str');
    // R0 = bytes copied including the NUL; clamp the length to [0, S-1] for the verifier.
    a.alu64Imm('sub', R0, 1);
    this.clampSigned(R0, 0, S - 1);
    const left = this.stack(8);
    a.stxDW(this.fp, left, R0);
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, out);
    a.alu64Reg('add', R1, R0);
    a.mov64Imm(R2, S);
    a.alu64Reg('sub', R2, R0);
    if (typeof r === 'number') {
      a.mov64Reg(R3, R7);
      a.alu64Imm('add', R3, r);
    } else a.ldMapValue(R3, r.map, r.offset);
    a.call('probe_read_kernel_str');
    // R0 = the right part's length with its NUL (at least the NUL); plus the left part's.
    this.clampSigned(R0, 1, S);
    a.ldxDW(R1, this.fp, left);
    a.alu64Reg('add', R0, R1);
    this.stackTop -= 8;
    this.ks.fixTail(R7, out);
    return out;
  },

  /**
   * A string value into the scratch slot `slot` (a local, a function's result): a literal is
   * written there word by word, anything else computed and copied.
   */
  storeString(this: ProbeGen, slot: number, value: A.Expr): void {
    if (value.kind === 'literal_string' && !this.inScratch.has(value)) {
      this.a.at(value.tok);
      this.ks.literal(R7, slot, unescapeLiteral(value.value));
      return;
    }
    this.ks.copy(R7, slot, R7, this.str(value));
  },

  /**
   * `local .= x` in place: the local's slot is the left part and the result, and a literal
   * `x` is read from the constants map. Two helper calls where a general concatenation into a
   * fresh slot and the copy back take three plus the literal's stores: flag decoders append a
   * dozen literals.
   */
  appendToLocal(this: ProbeGen, slot: number, right: A.Expr): number {
    if (right.kind === 'literal_string' && !this.inScratch.has(right)) {
      const bytes = unescapeLiteral(right.value).slice(0, this.ks.maxLen - 1);
      this.a.at(right.tok);
      return this.concatOffsets(slot, this.layout.constant(bytes), slot);
    }
    const r = this.str(right);
    // `s .= s`: the copy would read what it has just written; go through a fresh slot.
    if (r === slot) {
      this.ks.copy(R7, slot, R7, this.concatOffsets(slot, r));
      return slot;
    }
    return this.concatOffsets(slot, r, slot);
  },

  stringCall(this: ProbeGen, e: A.FunctionCall): number {
    const a = this.a;
    const S = this.ks.maxLen;
    const fn = this.prog.bindings.calls.get(e);
    if (fn && !fn.intrinsic && fn.decl) return this.inlineCall(e, fn)!;
    switch (`${e.name}/${e.args.length}`) {
      case 'execname/0': {
        // The kernel pads comm with NULs (word-padded already), cut to MAXSTRINGLEN - 1.
        const off = this.scratch(this.SLOT);
        a.mov64Reg(R1, R7);
        a.alu64Imm('add', R1, off);
        a.mov64Imm(R2, Math.min(16, S));
        a.call('get_current_comm');
        return off;
      }
      case 'pexecname/0': {
        // current->real_parent->comm (BTF offsets, as ppid()), cut like execname().
        const t = this.taskOffsets('pexecname()');
        const off = this.scratch(this.SLOT);
        const slot = this.stack(8);
        a.stDW(this.fp, slot, 0);
        this.currentParent(t, slot);
        this.ks.copy(R7, off, R3, t.comm, Math.min(16, S));
        this.stackTop -= 8;
        return off;
      }
      case 'pp/0': return this.str({ kind: 'literal_string', tok: e.tok, value: this.probe.site.point.replace(/\\/g, '\\\\') });
      case 'substr/3': {
        // Bytes [start, start+len) of the string; "" when start is outside it (the slot's bytes
        // past the NUL's word are not the string's, so its length bounds start).
        const src = this.str(e.args[0]!);
        const startSlot = this.stack(8);
        const lenSlot = this.stack(8);
        this.long(e.args[1]!);
        a.stxDW(this.fp, startSlot, R0);
        this.long(e.args[2]!);
        a.stxDW(this.fp, lenSlot, R0);
        const off = this.scratch(this.SLOT);
        const empty = this.fresh('subempty');
        const done = this.fresh('subdone');
        const l3 = this.fresh('sub');
        const l4 = this.fresh('sub');
        a.mov64Reg(R1, R7);
        a.alu64Imm('add', R1, off);
        a.mov64Imm(R2, S);
        a.mov64Reg(R3, R7);
        a.alu64Imm('add', R3, src);
        a.call('probe_read_kernel_str'); // R0 - 1 = strlen
        a.alu64Imm('sub', R0, 1);
        a.ldxDW(R4, this.fp, startSlot);
        a.jmpImm('jslt', R4, 0, empty);
        a.jmpReg('jsge', R4, R0, empty);
        a.jmpImm('jsge', R4, S - 1, empty);
        a.ldxDW(R2, this.fp, lenSlot);
        a.jmpImm('jsle', R2, 0, empty);
        a.alu64Imm('add', R2, 1); // room for the NUL
        a.jmpImm('jsle', R2, S, l3);
        a.mov64Imm(R2, S);
        a.label(l3);
        a.jmpImm('jsge', R2, 1, l4);
        a.mov64Imm(R2, 1);
        a.label(l4);
        a.mov64Reg(R3, R7);
        a.alu64Imm('add', R3, src);
        a.alu64Reg('add', R3, R4);
        a.mov64Reg(R1, R7);
        a.alu64Imm('add', R1, off);
        a.call('probe_read_kernel_str');
        this.ks.fixTail(R7, off);
        a.ja(done);
        a.label(empty);
        this.ks.empty(R7, off);
        a.label(done);
        this.stackTop -= 16;
        return off;
      }
      case 'user_string_n/2': case 'kernel_string_n/2': {
        const off = this.scratch(this.SLOT);
        const ptr = this.stack(8);
        this.long(e.args[0]!);
        a.stxDW(this.fp, ptr, R0);
        this.long(e.args[1]!);
        a.mov64Reg(R2, R0);
        a.alu64Imm('add', R2, 1);
        const l1 = this.fresh('sn');
        const l2 = this.fresh('sn');
        a.jmpImm('jsle', R2, S, l1);
        a.mov64Imm(R2, S);
        a.label(l1);
        a.jmpImm('jsge', R2, 1, l2);
        a.mov64Imm(R2, 1);
        a.label(l2);
        a.ldxDW(R3, this.fp, ptr);
        this.stackTop -= 8;
        a.mov64Reg(R1, R7);
        a.alu64Imm('add', R1, off);
        a.call(e.name.startsWith('user') ? 'probe_read_user_str' : 'probe_read_kernel_str');
        this.ks.fixTail(R7, off);
        return off;
      }
      case 'kernel_string/1': case 'user_string/1': {
        const off = this.scratch(this.SLOT);
        this.long(e.args[0]!);
        const addr = this.stack(8);
        a.stxDW(this.fp, addr, R0);
        a.mov64Reg(R3, R0);
        a.mov64Reg(R1, R7);
        a.alu64Imm('add', R1, off);
        a.mov64Imm(R2, S);
        a.call(e.name === 'user_string' ? 'probe_read_user_str' : 'probe_read_kernel_str');
        this.stringFault(e.name === 'user_string' ? 'user' : 'kernel', addr, e.tok);
        this.ks.fixTail(R7, off); // R0 is still the helper's length here
        this.stackTop -= 8;
        return off;
      }
      case 'kernel_string2/2': case 'user_string2/2': {
        // The string, or the second argument where it cannot be read (no error).
        const off = this.scratch(this.SLOT);
        this.long(e.args[0]!);
        a.mov64Reg(R3, R0);
        a.mov64Reg(R1, R7);
        a.alu64Imm('add', R1, off);
        a.mov64Imm(R2, S);
        a.call(e.name === 'user_string2' ? 'probe_read_user_str' : 'probe_read_kernel_str');
        const ok = this.fresh('str2ok');
        const done = this.fresh('str2done');
        a.jmpImm('jsgt', R0, 0, ok);
        this.ks.copy(R7, off, R7, this.str(e.args[1]!));
        a.ja(done);
        a.label(ok);
        this.ks.fixTail(R7, off);
        a.label(done);
        return off;
      }
      case 'string_quoted/1': return this.textEscape(this.str(e.args[0]!), true, null);
      case 'text_str/1': return this.textEscape(this.str(e.args[0]!), false, null);
      case 'text_strn/3': {
        // quoted is a run-time value: both escapings, the one it picks copied out.
        const src = this.str(e.args[0]!);
        const room = this.stack(8);
        const quoted = this.stack(8);
        this.long(e.args[1]!);
        a.stxDW(this.fp, room, R0);
        this.long(e.args[2]!);
        a.stxDW(this.fp, quoted, R0);
        const out = this.scratch(this.SLOT);
        const plain = this.fresh('txn_plain');
        const done = this.fresh('txn_done');
        a.ldxDW(R1, this.fp, quoted);
        a.jmpImm('jeq', R1, 0, plain);
        const top = this.scratchTop;
        this.ks.copy(R7, out, R7, this.textEscape(src, true, room));
        this.scratchTop = top;
        a.ja(done);
        a.label(plain);
        this.ks.copy(R7, out, R7, this.textEscape(src, false, room));
        this.scratchTop = top;
        a.label(done);
        this.stackTop -= 16;
        return out;
      }
      case 'cmdline_str/0': return this.cmdlineStr(e.tok);
      case 'ubacktrace/0': return this.ubacktraceString();
      case 'errno_str/1': return this.errnoStr(e.args[0]!);
      case 'matched/1': case 'matched_str/0': return this.matchedGroup(e);
      case 'syscall_name/1': this.long(e.args[0]!); return this.tableString(syscallNameTable(), SYSCALL_NAME_COUNT, SYSCALL_NAME_SLOT);
      case 'signal_str/1': this.long(e.args[0]!); return this.tableString(signalTable(), SIGNAL_COUNT, SIGNAL_SLOT);
    }
    const library = this.libraryString(e);
    if (library !== null) return library;
    if (USER_SYMBOL_FUNCTIONS.has(e.name)) throw unsupported(`${e.name}() other than as a print argument (user addresses are symbolized in user space)`, e.tok);
    throw unsupported(`function ${e.name}() returning a string`, e.tok);
  },
};

export type StringsMethods = typeof stringsMethods;
