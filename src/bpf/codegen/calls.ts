// Calls of built-in functions in kernel handlers: context functions (pid, execname, task_*),
// memory readers, user stacks, exit()/error(), and the long-valued library functions.

import type * as A from '../../parse/ast.js';
import type { Token } from '../../parse/token.js';
import { unescapeLiteral } from '../../format/escapes.js';
import { memberOf } from '../../runtime/meta/btf-layout.js';
import { R0, R1, R2, R3, R4, R5, R6, R7, R9 } from '../insn.js';
import { BPF_F_USER_BUILD_ID, BPF_F_USER_STACK, BUILD_ID_FRAME, USTACK_FIELDS, USTACK_FRAMES, USTACK_IDS_LEN, USTACK_IPS, USTACK_IPS_LEN, USTACK_MAX, USTACK_PID, USTACK_TIME } from '../../wire/ustack.js';
import type { Btf } from '../../runtime/meta/btf.js';
import { DROPPED_OFFSET, TARGET_OFFSET, STATE_OFFSET, REALTIME_OFFSET, unsupported, castType, chainTypeOf } from './shared.js';
import type { ProbeGen } from './gen.js';

export const callsMethods = {
  /**
   * Sends the user stack of the probe as a record (wire/ustack.ts): addresses and build ID +
   * file offset per frame, which name the file even when the process is gone before user space
   * reads the record. Built in scratch, the build-ID frames moved up to the last address: the
   * record holds only the frames there are. As a `context`, returns stack slots holding the
   * record's pid and time (what the print record that uses it carries).
   */
  userStackRecord(this: ProbeGen, context: boolean): { pid: number; time: number } {
    const a = this.a;
    const fmt = this.records.add(context ? { kind: 'ubacktrace', context: true } : { kind: 'ubacktrace' }, USTACK_FIELDS);
    const rec = this.scratch(USTACK_MAX);
    const ids = this.scratch(BUILD_ID_FRAME * USTACK_FRAMES);
    const keep = this.stack(16);
    const lens = this.stack(16);
    const done = this.fresh('ubt_done');
    a.mov64Imm(R1, fmt.id);
    a.stxW(R7, rec, R1);
    a.stW(R7, rec + 4, 0);
    a.call('get_current_pid_tgid');
    a.alu64Imm('rsh', R0, 32);
    a.stxDW(R7, rec + USTACK_PID, R0);
    a.stxDW(this.fp, keep, R0);
    a.call('ktime_get_ns');
    a.stxDW(R7, rec + USTACK_TIME, R0);
    a.stxDW(this.fp, keep + 8, R0);
    ([[rec + USTACK_IPS, 8, BPF_F_USER_STACK, USTACK_IPS_LEN], [ids, BUILD_ID_FRAME, BPF_F_USER_STACK | BPF_F_USER_BUILD_ID, USTACK_IDS_LEN]] as const)
      .forEach(([at, size, flags, lenAt], i) => {
        a.mov64Reg(R1, R6);
        a.mov64Reg(R2, R7);
        a.alu64Imm('add', R2, at);
        a.mov64Imm(R3, size * USTACK_FRAMES);
        a.mov64Imm(R4, flags);
        a.call('get_stack');
        this.clampSigned(R0, 0, size * USTACK_FRAMES);
        a.stxDW(R7, rec + lenAt, R0);
        a.stxDW(this.fp, lens + 8 * i, R0);
      });
    a.ldxDW(R1, this.fp, lens);
    a.alu64Reg('add', R1, R7);
    a.alu64Imm('add', R1, rec + USTACK_IPS);
    a.ldxDW(R2, this.fp, lens + 8);
    a.mov64Reg(R3, R7);
    a.alu64Imm('add', R3, ids);
    a.call('probe_read_kernel');
    a.ldMapFd(R1, this.layout.ringbuf);
    a.mov64Reg(R2, R7);
    a.alu64Imm('add', R2, rec);
    a.ldxDW(R3, this.fp, lens);
    a.ldxDW(R4, this.fp, lens + 8);
    a.alu64Reg('add', R3, R4);
    a.alu64Imm('add', R3, USTACK_IPS);
    a.mov64Imm(R4, 0);
    a.call('ringbuf_output');
    a.jmpImm('jeq', R0, 0, done);
    a.mov64Imm(R1, 1);
    a.atomic('add', 'dw', R9, DROPPED_OFFSET, R1);
    a.label(done);
    this.stackTop -= 16;
    if (!context) this.stackTop -= 16;
    return { pid: keep, time: keep + 8 };
  },

  /**
   * ubacktrace(): stap's hex string of the user stack, `0x%x ` per frame (_STP_SYM_NONE), cut at
   * MAXSTRINGLEN - 1. bpf_snprintf takes at most 12 arguments: frames 1-12 in one call, 13-20 in
   * a second where the first ended; each call's format is the tail of one constant with as
   * many conversions as there are frames (the verifier wants a constant format).
   */
  ubacktraceString(this: ProbeGen): number {
    const a = this.a;
    const S = this.ks.maxLen;
    const PER_CALL = 12;
    const ips = this.scratch(8 * USTACK_FRAMES);
    const out = this.scratch(this.SLOT);
    const n = this.stack(8);
    const fmt = this.layout.constant('0x%llx '.repeat(PER_CALL));
    const done = this.fresh('ubs_done');
    a.mov64Reg(R1, R6);
    a.mov64Reg(R2, R7);
    a.alu64Imm('add', R2, ips);
    a.mov64Imm(R3, 8 * USTACK_FRAMES);
    a.mov64Imm(R4, BPF_F_USER_STACK);
    a.call('get_stack');
    this.clampSigned(R0, 0, 8 * USTACK_FRAMES);
    a.alu64Imm('rsh', R0, 3);
    a.stxDW(this.fp, n, R0);
    // R0 = the length with the NUL (0: no frames, "") when done.
    const part = (first: number, count: number, pos: number | null) => {
      const after = this.fresh('ubs_part');
      a.ldxDW(R5, this.fp, n);
      if (first > 0) a.alu64Imm('sub', R5, first);
      for (let k = 1; k <= count; k++) {
        const next = this.fresh('ubs_k');
        a.jmpImm(k === count ? 'jslt' : 'jne', R5, k, next);
        a.mov64Reg(R1, R7);
        a.alu64Imm('add', R1, out);
        a.mov64Imm(R2, S);
        if (pos !== null) {
          a.ldxDW(R0, this.fp, pos);
          a.alu64Reg('add', R1, R0);
          a.alu64Reg('sub', R2, R0);
        }
        a.ldMapValue(R3, fmt.map, fmt.offset + 7 * (PER_CALL - k));
        a.mov64Reg(R4, R7);
        a.alu64Imm('add', R4, ips + 8 * first);
        a.mov64Imm(R5, 8 * k);
        a.call('snprintf');
        a.ja(after);
        a.label(next);
      }
      a.label(after);
    };
    a.mov64Imm(R0, 0);
    part(0, PER_CALL, null);
    // More than 12 frames and room left: the rest where the first call's text ended.
    a.ldxDW(R1, this.fp, n);
    a.jmpImm('jsle', R1, PER_CALL, done);
    a.mov64Reg(R1, R0);
    a.alu64Imm('sub', R1, 1);
    a.jmpImm('jsge', R1, S - 1, done);
    this.clampSigned(R1, 0, S - 2);
    const pos = this.stack(8);
    a.stxDW(this.fp, pos, R1);
    part(PER_CALL, USTACK_FRAMES - PER_CALL, pos);
    a.ldxDW(R1, this.fp, pos);
    a.alu64Reg('add', R0, R1);
    a.label(done);
    this.ks.fixTail(R7, out);
    this.stackTop -= 16;
    return out;
  },

  /**
   * R0 = where the string at `needle` first occurs in the one at `hay` (scratch offsets), or a
   * negative errno when it does not, with the kernel's bpf_strstr kfunc (Linux 6.17+; open-coded
   * nested loops exceed the verifier's jump-history limit).
   */
  isinstrIndex(this: ProbeGen, hay: number, needle: number, tok: Token): void {
    const a = this.a;
    if (this.getBtf()?.find('func', 'bpf_strstr') === undefined) throw unsupported(`searching strings (isinstr, strpos) on a kernel without bpf_strstr`, tok);
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, hay);
    a.mov64Reg(R2, R7);
    a.alu64Imm('add', R2, needle);
    a.callKfunc('bpf_strstr');
    // An int: an index (found), or a negative errno (-ENOENT: not found).
    a.movsx64(R0, R0, 32);
  },

  /** R0 = whether the string at `needle` occurs in the one at `hay` (scratch offsets). */
  isinstr(this: ProbeGen, hay: number, needle: number, tok: Token): void {
    this.isinstrIndex(hay, needle, tok);
    this.boolOf('jsge', 0);
  },

  /** R0 = the length of the string at scratch offset `src`. */
  strlenOf(this: ProbeGen, src: number): void {
    // probe_read_kernel_str into a spare slot returns the length including the NUL.
    const a = this.a;
    const tmp = this.scratch(this.SLOT);
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, tmp);
    a.mov64Imm(R2, this.ks.maxLen);
    a.mov64Reg(R3, R7);
    a.alu64Imm('add', R3, src);
    a.call('probe_read_kernel_str');
    a.alu64Imm('sub', R0, 1);
    const ok = this.fresh('slen');
    a.jmpImm('jsge', R0, 0, ok);
    a.mov64Imm(R0, 0);
    a.label(ok);
  },

  call(this: ProbeGen, e: A.FunctionCall): void {
    const a = this.a;
    const fn = this.prog.bindings.calls.get(e);
    if (fn && !fn.intrinsic && fn.decl) {
      this.inlineCall(e, fn);
      return;
    }
    const sig = `${e.name}/${e.args.length}`;
    switch (sig) {
      case 'pid/0': a.call('get_current_pid_tgid'); a.alu64Imm('rsh', R0, 32); return;
      case 'tid/0': a.call('get_current_pid_tgid'); a.alu64Imm('and', R0, -1); a.mov32Reg(R0, R0); return;
      case 'uid/0': case 'euid/0': a.call('get_current_uid_gid'); a.mov32Reg(R0, R0); return;
      case 'gid/0': case 'egid/0': a.call('get_current_uid_gid'); a.alu64Imm('rsh', R0, 32); return;
      case 'cpu/0': a.call('get_smp_processor_id'); return;
      // The address of the current task_struct: a number, read through with @cast.
      case 'task_current/0': a.call('get_current_task'); return;
      case 'uaddr/0': {
        // The user registers' ip: the first frame of the user stack (0 in a kernel thread).
        const slot = this.stack(8);
        a.stDW(this.fp, slot, 0);
        a.mov64Reg(R1, R6);
        a.mov64Reg(R2, this.fp);
        a.alu64Imm('add', R2, slot);
        a.mov64Imm(R3, 8);
        a.mov64Imm(R4, BPF_F_USER_STACK);
        a.call('get_stack');
        a.ldxDW(R0, this.fp, slot);
        this.stackTop -= 8;
        return;
      }
      case 'pid2task/1': this.pid2task(e); return;
      case 'target/0': a.ldxDW(R0, R9, TARGET_OFFSET); return;
      case 'asmlinkage/0': a.mov64Imm(R0, 0); return;
      case 'int_arg/1': case 'uint_arg/1': case 'long_arg/1': case 'ulong_arg/1': case 'pointer_arg/1': case 's32_arg/1':
      case 'u32_arg/1': case 's64_arg/1': case 'u64_arg/1': case 'longlong_arg/1': case 'ulonglong_arg/1':
        this.syscallArg(e);
        return;
      case 'ktime_get_ns/0': a.call('ktime_get_ns'); return;
      case 'isinstr/2': this.isinstr(this.str(e.args[0]!), this.str(e.args[1]!), e.tok); return;
      case 'strlen/1': this.strlenOf(this.str(e.args[0]!)); return;
      case 'ngroups/0': this.ngroupsOf(e); return;
      case 'user_long/1': case 'user_int/1': case 'user_short/1': case 'user_char/1':
      case 'kernel_long/1': case 'kernel_int/1': case 'kernel_short/1': case 'kernel_char/1': {
        const size = { long: 8, int: 4, short: 2, char: 1 }[e.name.split('_')[1] as 'long' | 'int' | 'short' | 'char'];
        const slot = this.stack(8);
        this.long(e.args[0]!);
        a.mov64Reg(R3, R0);
        a.stDW(this.fp, slot, 0);
        a.mov64Reg(R1, this.fp);
        a.alu64Imm('add', R1, slot);
        a.mov64Imm(R2, size);
        a.call(e.name.startsWith('user') ? 'probe_read_user' : 'probe_read_kernel');
        const sz = size === 8 ? 'dw' : size === 4 ? 'w' : size === 2 ? 'h' : 'b';
        if (sz === 'dw') a.ldxDW(R0, this.fp, slot);
        else a.ldxs(sz, R0, this.fp, slot);
        this.stackTop -= 8;
        return;
      }
      case 'gettimeofday_ns/0': case 'gettimeofday_us/0': case 'gettimeofday_ms/0': case 'gettimeofday_s/0': {
        a.call('ktime_get_ns');
        a.ldxDW(R1, R9, REALTIME_OFFSET);
        a.alu64Reg('add', R0, R1);
        this.divideClock(e.name.slice('gettimeofday_'.length));
        return;
      }
      case 'ppid/0': {
        // current->real_parent->tgid, with BTF offsets.
        const off = this.taskOffsets();
        const slot = this.stack(8);
        this.currentParent(off, slot);
        a.alu64Imm('add', R3, off.tgid);
        a.stDW(this.fp, slot, 0);
        a.mov64Reg(R1, this.fp);
        a.alu64Imm('add', R1, slot);
        a.mov64Imm(R2, 4);
        a.call('probe_read_kernel');
        a.ldxW(R0, this.fp, slot);
        this.stackTop -= 8;
        return;
      }
      case 'exit/0': {
        a.mov64Imm(R1, 1);
        a.stxDW(R9, STATE_OFFSET, R1);
        this.emitRecord({ kind: 'exit' }, []);
        a.mov64Imm(R0, 0);
        return;
      }
      case 'print_backtrace/0': {
        // The stack is taken here, symbolized late in user space (kallsyms).
        const stacks = this.layout.useStacks();
        a.mov64Reg(R1, R6);
        a.ldMapFd(R2, stacks);
        a.mov64Imm(R3, 0x400); // BPF_F_REUSE_STACKID
        a.call('get_stackid');
        const idSlot = this.stack(8);
        a.stxDW(this.fp, idSlot, R0);
        this.emitRecord({ kind: 'backtrace' }, [{ type: 'long' }, { type: 'long' }], [
          { kind: 'symbol', tok: e.tok, name: '\0stackid' } as A.SymbolExpr,
          { kind: 'functioncall', tok: e.tok, name: 'pid', args: [] },
        ], new Map([[0, idSlot]]));
        this.stackTop -= 8;
        a.mov64Imm(R0, 0);
        return;
      }
      case 'print_ubacktrace/0':
        this.userStackRecord(false);
        a.mov64Imm(R0, 0);
        return;
      case 'print_usyms/1': case 'print_ustack/1': {
        // A print of what user space makes of the addresses (deferred.ts, format/usyms.ts).
        const call: A.FunctionCall = { ...e };
        this.prog.bindings.calls.set(call, this.prog.bindings.calls.get(e)!);
        this.print({
          kind: 'print_format', tok: e.tok, name: 'printf', stream: true, withFormat: true, withDelim: false,
          withNewline: false, isChar: false, format: '%s', delimiter: null, hist: null, args: [call],
        });
        return;
      }
      case 'error/1': {
        const arg = e.args[0]!;
        if (arg.kind === 'literal_string') {
          this.runtimeError(unescapeLiteral(arg.value), this.builtinCall);
          return;
        }
        this.runtimeError(arg, this.builtinCall); // a computed message
        return;
      }
    }
    if (this.libraryLong(e)) return;
    throw unsupported(`function ${e.name}()`, e.tok);
  },

  /** Offsets in struct task_struct from the kernel's BTF. */
  taskOffsets(this: ProbeGen, fn = 'ppid()'): { realParent: number; tgid: number; comm: number } {
    const btf = this.btf();
    const task = btf?.find('struct', 'task_struct');
    const rp = task !== undefined && btf ? memberOf(btf, task, 'real_parent') : undefined;
    const tg = task !== undefined && btf ? memberOf(btf, task, 'tgid') : undefined;
    const comm = task !== undefined && btf ? memberOf(btf, task, 'comm') : undefined;
    if (!rp || !tg || !comm) throw unsupported(`${fn} without kernel BTF`, this.probe.tok);
    return { realParent: rp.bitOffset / 8, tgid: tg.bitOffset / 8, comm: comm.bitOffset / 8 };
  },

  /** current->real_parent into R3 (read through the stack slot `slot`). */
  currentParent(this: ProbeGen, off: { realParent: number }, slot: number): void {
    const a = this.a;
    a.call('get_current_task');
    a.mov64Reg(R3, R0);
    a.alu64Imm('add', R3, off.realParent);
    a.mov64Reg(R1, this.fp);
    a.alu64Imm('add', R1, slot);
    a.mov64Imm(R2, 8);
    a.call('probe_read_kernel');
    a.ldxDW(R3, this.fp, slot);
  },

  btf(this: ProbeGen): Btf | null {
    return this.target.vars.kind === 'btf_args' ? this.target.vars.btf : this.getBtf();
  },

  defined(this: ProbeGen, e: A.Expr): boolean {
    if (e.kind === 'cast_op') {
      const btf = this.getBtf();
      const type = btf ? castType(btf, e.typeName) : undefined;
      return type !== undefined && chainTypeOf(btf!, type, e.components) !== undefined;
    }
    if (e.kind !== 'target_symbol') return true;
    const name = e.name.slice(1);
    const vars = this.target.vars;
    if (vars.kind === 'none') return false;
    if (vars.kind === 'btf_args') {
      const p = vars.params.find((x) => x.name === name);
      return p !== undefined && chainTypeOf(vars.btf, p.type, e.components) !== undefined;
    }
    return e.components.length === 0 && vars.format.fields.some((f) => f.name === name);
  },
};

export type CallsMethods = typeof callsMethods;
