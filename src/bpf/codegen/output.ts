// Output and errors in kernel handlers: printf/print records through the ring buffer,
// sprintf via bpf_snprintf, errno/signal/syscall name tables, cmdline_str, string_quoted, and
// run-time errors (try/catch, the session state, stap's messages).

import type * as A from '../../parse/ast.js';
import type { Token } from '../../parse/token.js';
import { unescapeLiteral } from '../../format/escapes.js';
import { parseFormat, type FormatComponent } from '../../parse/format.js';
import { printComponents } from '../../format/print.js';
import { memberOf } from '../../runtime/meta/btf-layout.js';
import { R0, R1, R2, R3, R4, R5, R6, R7, R9 } from '../insn.js';
import type { RecordField, RecordKind } from '../spec.js';
import { recordLayout } from '../../wire/records.js';
import { DUMP_MAX, dumpArgs, emitDumpRead, emitDumpSizeChecks, emitSprintf, isDump, sprintfArgKinds, type SprintfArg, type SprintfSite } from './sprintf.js';
import { isDeferred } from './deferred.js';
import { USER_SYMBOL_FUNCTIONS } from '../../format/usyms.js';
import { ERRNO_COUNT, ERRNO_SLOT, errnoTable } from './name-tables.js';
import { DROPPED_OFFSET, STATE_OFFSET, EXIT, unsupported } from './shared.js';
import type { ProbeGen } from './gen.js';

/**
 * A record field's value made before the record is built: a long in a stack slot, a string in
 * scratch, or a dump's bytes (`len` a stack slot) sent as a string field that may hold NULs.
 */
export type Prepared = { kind: 'long'; slot: number } | { kind: 'string'; off: number } | { kind: 'bytes'; buf: number; len: number };

export const outputMethods = {
  /**
   * sprintf (and sprint, sprintln, ...) in the kernel: the arguments evaluated in order (strings
   * into scratch, longs onto the stack), then formatted by sprintf.ts (bpf_snprintf, Linux
   * 5.13+, with what it cannot format rewritten), as the interpreter formats them.
   */
  sprintf(this: ProbeGen, e: A.PrintFormat): number {
    // sprint/sprintd/sprintln...: the format the interpreter derives from the argument types.
    const components = e.withFormat ? parseFormat(e.format!) : printComponents(
      e.args.map((x) => (this.typeOf(x) === 'string' ? 'string' : 'long')),
      { ...(e.withDelim ? { delimiter: e.delimiter! } : {}), newline: e.withNewline });
    if (components.some(isDump)) this.dumpContext(e.tok);
    const kinds = sprintfArgKinds(components);
    if (kinds.length !== e.args.length) throw unsupported('sprintf with a mismatched argument count', e.tok);
    const top = this.stackTop;
    const S = this.ks.maxLen;
    const args = e.args.map((x, i): SprintfArg => {
      if (kinds[i] === 'string') {
        const max = x.kind === 'literal_string' && !this.inScratch.has(x) ? Math.min(unescapeLiteral(x.value).length, S - 1) : S - 1;
        return { kind: 'string', off: this.str(x), max };
      }
      this.long(x);
      const slot = this.stack(8);
      this.a.stxDW(this.fp, slot, R0);
      return { kind: 'long', slot };
    });
    this.a.at(e.tok);
    const out = emitSprintf(this.sprintfSite(e.tok), components, args);
    this.stackTop = top;
    return out;
  },

  /** What sprintf.ts generates code with; its run-time errors are the call's at `tok`. */
  sprintfSite(this: ProbeGen, tok: Token): SprintfSite {
    return {
      asm: () => this.a,
      fp: this.fp,
      stack: (bytes) => this.stack(bytes),
      stackTop: () => this.stackTop,
      resetStack: (t) => { this.stackTop = t; },
      scratch: (bytes) => this.scratch(bytes),
      constant: (bytes) => this.layout.constant(bytes),
      ks: this.ks,
      unsupported: (what) => unsupported(what, tok),
      fresh: (hint) => this.fresh(hint),
      fail: (fmt, slots) => this.failWith(fmt, slots, tok),
    };
  },

  /** A run-time error whose message is bpf_snprintf of `fmt` with the longs in `slots` (none: `fmt` itself). */
  failWith(this: ProbeGen, fmt: string, slots: number[], tok: Token): void {
    if (slots.length === 0) {
      this.runtimeError(fmt, tok);
      return;
    }
    const data = this.stack(8 * slots.length);
    slots.forEach((slot, i) => {
      this.a.ldxDW(R1, this.fp, slot);
      this.a.stxDW(this.fp, data + 8 * i, R1);
    });
    const msg = this.snprintfSlots(fmt, data, slots.length);
    this.stackTop -= 8 * slots.length;
    this.runtimeError({ scratch: msg }, tok);
  },

  /**
   * %m/%M read the probed context's memory. begin/end handlers have none: the interpreter's reads
   * there fault, so such a handler stays with it (under --runtime=bpf).
   */
  dumpContext(this: ProbeGen, tok: Token): void {
    if (this.target.attach.kind === 'test_run') throw unsupported('%m/%M in a begin/end handler (no probed context whose memory they read)', tok);
  },

  print(this: ProbeGen, e: A.PrintFormat): void {
    if (!e.stream) throw unsupported(e.hist ? 'sprint of a histogram in a kernel probe' : 'sprint/sprintf in a kernel probe', e.tok);
    if (e.hist) {
      // The record carries the statistic's keys; user space prints the histogram from the maps
      // (interp/kernel-histogram.ts).
      const stat = e.hist.stat;
      const keys = stat.kind === 'arrayindex' ? (stat.indexes as A.Expr[]) : [];
      const call = this.records.printCalls.length;
      this.records.printCalls.push(e);
      this.emitRecord({ kind: 'printf', call }, keys.map((x) => (this.typeOf(x) === 'string' ? { type: 'string', size: this.ks.maxLen } : { type: 'long' })), keys);
      this.a.mov64Imm(R0, 0);
      return;
    }
    const components = e.withFormat ? parseFormat(e.format!) : []; // already validated at pass 1
    const dumps = dumpArgs(components);
    if (dumps.length > 0) this.dumpContext(e.tok);
    // The kernel needs the addresses and sizes of dumps itself.
    const inKernel = new Set(dumps.flatMap((d) => (d.precision === null ? [d.addr] : [d.addr, d.precision])));
    // Arguments that are calls of user-space-only built-ins (ctime(...)) travel as their own
    // arguments; user space makes the call when it formats the line.
    // Not inside try: a deferred call's error could not reach the catch block any more.
    const deferred = e.args.map((x, i) => (!inKernel.has(i) && this.tries.length === 0 && isDeferred(x, this.prog) ? (x as A.FunctionCall).name : null));
    const sent = e.args.flatMap((x, i) => (deferred[i] ? (x as A.FunctionCall).args : [x]));
    const fields: RecordField[] = sent.map((x) => (this.typeOf(x) === 'string' ? { type: 'string', size: this.ks.maxLen } : { type: 'long' }));
    const ready = new Map<number, Prepared>();
    const top = this.stackTop;
    if (dumps.length > 0) this.prepareDumps(e, components, deferred, sent, fields, ready);
    const call = this.records.printCalls.length;
    this.records.printCalls.push(e);
    // usymname() and kin: the probe's user stack goes first, in a record of its own; this one
    // names it by pid and time (two more long fields) and user space looks addresses up in it.
    const ucontext = deferred.some((d) => d !== null && USER_SYMBOL_FUNCTIONS.has(d));
    if (ucontext) {
      const ctx = this.userStackRecord(true);
      for (const slot of [ctx.pid, ctx.time]) {
        ready.set(sent.length, { kind: 'long', slot });
        sent.push({ kind: 'literal_number', tok: e.tok, value: 0n } as unknown as A.Expr);
        fields.push({ type: 'long' });
      }
    }
    this.emitRecord({ kind: 'printf', call, ...(deferred.some((d) => d) ? { deferred } : {}), ...(ucontext ? { ucontext: true as const } : {}) }, fields, sent, ready);
    this.stackTop = top;
    this.a.mov64Imm(R0, 0);
  },

  /**
   * A print with %m/%M: its arguments evaluated in order (into `ready`), stap's size check, then
   * each dump's bytes read, a fault being the print's error before anything is sent. A dump goes
   * in place of its address as a string field of its bytes, which user space formats (a string
   * stands for the memory in format/printf.ts), clamping to the line as stap does. Its size is the
   * precision if positive, else 1 (stap's clamp to the line's room can only make it smaller).
   */
  prepareDumps(this: ProbeGen, e: A.PrintFormat, components: FormatComponent[], deferred: (string | null)[], sent: A.Expr[],
    fields: RecordField[], ready: Map<number, Prepared>): void {
    const a = this.a;
    sent.forEach((x, i) => {
      if (fields[i]!.type === 'string') {
        ready.set(i, { kind: 'string', off: this.str(x) });
        return;
      }
      this.long(x);
      const slot = this.stack(8);
      a.stxDW(this.fp, slot, R0);
      ready.set(i, { kind: 'long', slot });
    });
    // Each print argument's value (the first of a deferred call's), by its place in the format.
    const at: number[] = [];
    e.args.reduce((k, x, i) => (at[i] = k) + (deferred[i] ? (x as A.FunctionCall).args.length : 1), 0);
    const args = e.args.map((_, i): SprintfArg => {
      const r = ready.get(at[i]!);
      return r?.kind === 'long' ? { kind: 'long', slot: r.slot } : { kind: 'string', off: 0, max: 0 };
    });
    const site = this.sprintfSite(e.tok);
    a.at(e.tok);
    emitDumpSizeChecks(site, components, args);
    for (const d of dumpArgs(components)) {
      const len = this.stack(8);
      let max = DUMP_MAX;
      const p = d.precision === null ? null : args[d.precision]!;
      if (p?.kind === 'long') {
        // stap cuts the precision to an int; at most a page passed the size check.
        a.ldxDW(R1, this.fp, p.slot);
        a.alu64Imm('lsh', R1, 32);
        a.alu64Imm('arsh', R1, 32);
        this.clampSigned(R1, 1, DUMP_MAX);
        a.stxDW(this.fp, len, R1);
      } else {
        max = typeof d.c.precision === 'number' ? Math.min(Math.max(d.c.precision, 1), DUMP_MAX) : 1;
        a.stDW(this.fp, len, max);
      }
      const addr = args[d.addr]!;
      if (addr.kind !== 'long') throw new Error('printf: %m takes a long');
      const buf = this.scratch(max);
      emitDumpRead(site, { dst: () => { a.mov64Reg(R1, R7); a.alu64Imm('add', R1, buf); }, n: len, addr: addr.slot, max, user: d.c.flags.special });
      ready.set(at[d.addr]!, { kind: 'bytes', buf, len });
      fields[at[d.addr]!] = { type: 'string', size: max + 1 };
    }
  },

  /**
   * Evaluates `args` (but those `ready`; a number there is a long's stack slot) and sends a record
   * of `fields` (wire/records.ts): longs only, reserved in the ring buffer and filled in place;
   * with strings, built in scratch with each string taking only its bytes, then copied with
   * bpf_ringbuf_output.
   */
  emitRecord(this: ProbeGen, what: RecordKind, fields: RecordField[], args: A.Expr[] = [], ready = new Map<number, number | Prepared>()): void {
    const a = this.a;
    const fmt = this.records.add(what, fields);
    const layout = recordLayout(fields);
    const offsets = layout.longOffsets;
    // Evaluate first: helpers clobber R0-R5, and the reservation must not be held across them.
    const longSlots: number[] = [];
    const strSlots: number[] = [];
    const dumps = new Map<number, { buf: number; len: number }>();
    let own = 0;
    args.forEach((x, i) => {
      const got = ready.get(i);
      const done: Prepared | undefined = typeof got === 'number' ? { kind: 'long', slot: got } : got;
      if (done?.kind === 'long') longSlots[i] = done.slot;
      else if (done?.kind === 'string') strSlots[i] = done.off;
      else if (done?.kind === 'bytes') dumps.set(i, done);
      else if (fields[i]!.type === 'long') {
        this.long(x);
        const s = this.stack(8);
        a.stxDW(this.fp, s, R0);
        longSlots[i] = s;
        own++;
      } else {
        strSlots[i] = this.str(x);
      }
    });
    const dropped = this.fresh('drop');
    const end = this.fresh('sent');
    if (layout.hasStrings) {
      this.sendWithStrings(fmt.id, fields, longSlots, strSlots, dropped, dumps);
      a.ja(end);
    } else {
      a.ldMapFd(R1, this.layout.ringbuf);
      a.mov64Imm(R2, layout.stringsAt);
      a.mov64Imm(R3, 0);
      a.call('ringbuf_reserve');
      a.jmpImm('jeq', R0, 0, dropped);
      a.mov64Reg(R5, R0);
      a.mov64Imm(R1, fmt.id);
      a.stxW(R5, 0, R1);
      a.stW(R5, 4, 0);
      args.forEach((_, i) => {
        a.ldxDW(R1, this.fp, longSlots[i]!);
        a.stxDW(R5, offsets[i]!, R1);
      });
      a.mov64Reg(R1, R5);
      a.mov64Imm(R2, 0);
      a.call('ringbuf_submit');
      a.ja(end);
    }
    a.label(dropped);
    // Nothing the user asked for is lost silently: count it, user space reports the total.
    a.mov64Imm(R1, 1);
    a.atomic('add', 'dw', R9, DROPPED_OFFSET, R1);
    a.label(end);
    this.stackTop -= 8 * own;
  },

  /**
   * A record with strings, built in scratch: header and longs at their offsets, then each
   * string as its length (2 bytes), its bytes and a NUL, right after the previous one (the
   * running length in a stack slot, bounded for the verifier); a dump (`dumps`, by field) the
   * same with its bytes, NULs and all. bpf_ringbuf_output sends what was used. Jumps to
   * `dropped` when the ring buffer is full.
   */
  sendWithStrings(this: ProbeGen, id: number, fields: RecordField[], longSlots: number[], strSlots: number[], dropped: string,
    dumps = new Map<number, { buf: number; len: number }>()): void {
    const a = this.a;
    const S = this.ks.maxLen;
    const layout = recordLayout(fields);
    const rec = this.scratch(layout.maxSize);
    a.mov64Imm(R1, id);
    a.stxW(R7, rec, R1);
    a.stW(R7, rec + 4, 0);
    const pos = this.stack(8);
    a.stDW(this.fp, pos, layout.stringsAt);
    fields.forEach((f, i) => {
      if (f.type === 'long') {
        a.ldxDW(R1, this.fp, longSlots[i]!);
        a.stxDW(R7, rec + layout.longOffsets[i]!, R1);
        return;
      }
      const dump = dumps.get(i);
      a.ldxDW(R2, this.fp, pos);
      a.mov64Reg(R1, R7);
      a.alu64Imm('add', R1, rec + 2);
      a.alu64Reg('add', R1, R2);
      if (dump) {
        a.ldxDW(R2, this.fp, dump.len);
        a.mov64Reg(R3, R7);
        a.alu64Imm('add', R3, dump.buf);
        a.call('probe_read_kernel');
        a.ldxDW(R0, this.fp, dump.len);
        a.alu64Imm('add', R0, 1);
      } else {
        a.mov64Reg(R3, R7);
        a.alu64Imm('add', R3, strSlots[i]!);
        a.mov64Imm(R2, S);
        a.call('probe_read_kernel_str');
        // A failed copy cleared its bytes: it counts as "" (its NUL).
        this.clampSigned(R0, 1, S);
      }
      // R0 = the bytes and the NUL: the length goes before them, the position past the NUL.
      a.ldxDW(R2, this.fp, pos);
      a.mov64Reg(R1, R7);
      a.alu64Imm('add', R1, rec);
      a.alu64Reg('add', R1, R2);
      a.mov64Reg(R3, R0);
      a.alu64Imm('sub', R3, 1);
      a.stxH(R1, 0, R3);
      if (dump) {
        a.alu64Reg('add', R1, R3);
        a.stB(R1, 2, 0);
      }
      a.alu64Reg('add', R2, R0);
      a.alu64Imm('add', R2, 2);
      a.stxDW(this.fp, pos, R2);
    });
    a.ldMapFd(R1, this.layout.ringbuf);
    a.mov64Reg(R2, R7);
    a.alu64Imm('add', R2, rec);
    a.ldxDW(R3, this.fp, pos);
    a.mov64Imm(R4, 0);
    a.call('ringbuf_output');
    a.jmpImm('jne', R0, 0, dropped);
    this.stackTop -= 8;
  },

  /** An expression node that evaluates to the string already at scratch offset `off`. */
  scratchExpr(this: ProbeGen, off: number, tok: Token): A.Expr {
    const e = { kind: 'literal_string', value: '', tok } as A.Expr;
    this.inScratch.set(e, off);
    return e;
  },

  /**
   * bpf_snprintf of the constant format `fmt` with `n` u64 arguments at stack slot `data` into
   * a fresh scratch slot; returns its offset.
   */
  snprintfSlots(this: ProbeGen, fmt: string, data: number, n: number): number {
    const a = this.a;
    const out = this.scratch(this.SLOT);
    const { map, offset } = this.layout.constant(fmt);
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, out);
    a.mov64Imm(R2, this.ks.maxLen);
    a.ldMapValue(R3, map, offset);
    a.mov64Reg(R4, this.fp);
    a.alu64Imm('add', R4, data);
    a.mov64Imm(R5, 8 * n);
    a.call('snprintf');
    this.ks.fixTail(R7, out);
    return out;
  },

  /**
   * After a string read (R0 = the helper's result): stap's copy-fault error when it failed,
   * "user string copy fault -14 at 0x0 [man error::fault]" (catchable, as in stap).
   */
  stringFault(this: ProbeGen, kind: 'user' | 'kernel', addrSlot: number, tok: Token): void {
    const a = this.a;
    const ok = this.fresh('sfok');
    a.jmpImm('jsge', R0, 0, ok);
    const data = this.stack(16);
    if (kind === 'user') {
      a.stxDW(this.fp, data, R0);
      a.ldxDW(R1, this.fp, addrSlot);
      a.stxDW(this.fp, data + 8, R1);
    } else {
      a.ldxDW(R1, this.fp, addrSlot);
      a.stxDW(this.fp, data, R1);
    }
    const fmt = kind === 'user' ? 'user string copy fault %lld at 0x%llx [man error::fault]' : 'kernel string copy fault at 0x%llx [man error::fault]';
    const msg = this.snprintfSlots(fmt, data, kind === 'user' ? 2 : 1);
    this.stackTop -= 16;
    this.runtimeError({ scratch: msg }, tok);
    a.label(ok);
  },

  /**
   * errno_str(e): the name of |e| from a table in the constants map (ERRNO_SLOT bytes per
   * errno), "" when unknown, as the interpreter's errnoName.
   */
  errnoStr(this: ProbeGen, arg: A.Expr): number {
    const a = this.a;
    this.long(arg);
    const pos = this.fresh('epos');
    a.jmpImm('jsge', R0, 0, pos);
    a.mov64Imm(R1, 0);
    a.alu64Reg('sub', R1, R0);
    a.mov64Reg(R0, R1);
    a.label(pos);
    // Known errnos are 1..count-1; INT64_MIN stays negative after negation and is unknown too.
    return this.tableString(errnoTable(), ERRNO_COUNT, ERRNO_SLOT, 1);
  },

  /**
   * Entry R0 of a name table in the constants map (`count` fixed slots of `slot` bytes) into a
   * fresh string slot; "" when R0 is outside [first, count).
   */
  tableString(this: ProbeGen, table: string, count: number, slot: number, first = 0): number {
    const a = this.a;
    const where = this.layout.constant(table);
    const out = this.scratch(this.SLOT);
    this.ks.empty(R7, out);
    const unknown = this.fresh('tunk');
    a.jmpImm('jslt', R0, first, unknown);
    a.jmpImm('jsge', R0, count, unknown);
    a.alu64Imm('mul', R0, slot);
    a.ldMapValue(R3, where.map, where.offset);
    a.alu64Reg('add', R3, R0);
    if (slot <= this.ks.maxLen) {
      // Names are NUL-padded to their slot: whole words copy them word-padded.
      for (let i = 0; i < slot; i += 8) {
        a.ldxDW(R1, R3, i);
        a.stxDW(R7, out + i, R1);
      }
    } else this.ks.copy(R7, out, R3, 0); // a MAXSTRINGLEN shorter than the table's slot cuts the name
    a.label(unknown);
    return out;
  },

  /**
   * int_arg(n) and kin: argument n (a literal, 1-6) of the probed system call, from a syscall
   * tracepoint's record (syscalls:* and raw_syscalls:* keep the arguments at 16 + 8 * (n - 1)).
   */
  syscallArg(this: ProbeGen, e: A.FunctionCall): void {
    const a = this.a;
    const vars = this.target.vars;
    const system = vars.kind === 'tracefs' ? vars.format.system : '';
    if (system !== 'syscalls' && system !== 'raw_syscalls') throw unsupported(`${e.name}() outside syscall probes`, e.tok);
    const n = e.args[0]!;
    if (n.kind !== 'literal_number' || n.value < 1n || n.value > 6n) throw unsupported(`${e.name}() of an argument number other than a literal 1-6`, e.tok);
    const off = 16 + 8 * (Number(n.value) - 1);
    const kind = e.name.slice(0, -'_arg'.length);
    if (kind === 'int' || kind === 's32') a.ldxs('w', R0, R6, off);
    else if (kind === 'uint' || kind === 'u32') a.ldx('w', R0, R6, off);
    else a.ldxDW(R0, R6, off);
  },

  /**
   * string_quoted(s) into a fresh slot: stap's _stp_text_str (quoted) over the kernel string
   * size: printable ASCII stays, C escapes and \\ooo octal replace other bytes (UTF-8 sequences
   * are escaped bytewise, unlike stap's \\uXXXX), and output that does not fit ends in `"...`
   * placed so that no escape is cut in half. One byte per bpf_loop iteration: the verifier
   * checks the step once instead of every path through MAXSTRINGLEN unrolled iterations, and
   * the state lives in scratch memory so that iterations meet in one verifier state.
   */
  /**
   * cmdline_str(): the current process's arguments separated by spaces (stap's tapset joins
   * them one by one; here one read of mm->arg_start..arg_end and every NUL made a space, a word
   * at a time with no loop). An empty argument shows as two spaces where stap writes "".
   */
  cmdlineStr(this: ProbeGen, tok: Token): number {
    const a = this.a;
    const S = this.ks.maxLen;
    const btf = this.getBtf();
    const task = btf?.find('struct', 'task_struct');
    const mmStruct = btf?.find('struct', 'mm_struct');
    const mm = btf && task !== undefined ? memberOf(btf, task, 'mm') : undefined;
    const start = btf && mmStruct !== undefined ? memberOf(btf, mmStruct, 'arg_start') : undefined;
    const end = btf && mmStruct !== undefined ? memberOf(btf, mmStruct, 'arg_end') : undefined;
    if (!mm || !start || !end) throw unsupported('cmdline_str() without task_struct/mm_struct in the kernel\'s BTF', tok);
    const out = this.scratch(this.SLOT);
    const empty = this.fresh('cmdempty');
    const done = this.fresh('cmddone');
    const slots = this.stack(16);
    // A 64-bit kernel word at [R0 + off] into R0 (0 when unreadable).
    const readWord = (off: number, at: number) => {
      this.readKernel(R0, off, at, 8);
      a.ldxDW(R0, this.fp, at);
    };
    a.call('get_current_task');
    readWord(mm.bitOffset / 8, slots);
    a.jmpImm('jeq', R0, 0, empty);
    a.stxDW(this.fp, slots + 8, R0);
    readWord(end.bitOffset / 8, slots);
    a.mov64Reg(R1, R0);
    a.ldxDW(R0, this.fp, slots + 8);
    a.stxDW(this.fp, slots + 8, R1);
    readWord(start.bitOffset / 8, slots);
    a.stxDW(this.fp, slots, R0);
    // R2 = bytes to read: arg_end - arg_start, at most S - 1 (the last argument's NUL included).
    a.ldxDW(R2, this.fp, slots + 8);
    a.alu64Reg('sub', R2, R0);
    a.jmpImm('jsle', R2, 0, empty);
    this.clampSigned(R2, 1, S - 1);
    a.stxDW(this.fp, slots + 8, R2);
    this.ks.zero(R7, out, this.SLOT);
    a.ldxDW(R2, this.fp, slots + 8);
    this.clampSigned(R2, 1, S - 1);
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, out);
    a.ldxDW(R3, this.fp, slots);
    a.call('probe_read_user');
    a.jmpImm('jne', R0, 0, empty);
    // Each zero byte becomes a space: bit 7 of ((w & 0x7f..) + 0x7f..) | w is set exactly for
    // the non-zero bytes of w; the clear ones, moved to bit 5, are the spaces to add.
    a.ldImm64(R4, 0x7f7f7f7f7f7f7f7fn);
    a.ldImm64(R5, 0x8080808080808080n);
    for (let k = 0; k < this.SLOT; k += 8) {
      a.ldxDW(R1, R7, out + k);
      a.mov64Reg(R2, R1);
      a.alu64Reg('and', R2, R4);
      a.alu64Reg('add', R2, R4);
      a.alu64Reg('or', R2, R1);
      a.alu64Imm('xor', R2, -1);
      a.alu64Reg('and', R2, R5);
      a.alu64Imm('rsh', R2, 2);
      a.alu64Reg('or', R1, R2);
      a.stxDW(R7, out + k, R1);
    }
    // The string ends where the last argument's NUL was (or where the read was cut).
    a.ldxDW(R0, this.fp, slots + 8);
    this.clampSigned(R0, 1, S - 1);
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, out - 1);
    a.alu64Reg('add', R1, R0);
    a.stB(R1, 0, 0);
    this.ks.fixTail(R7, out);
    a.ja(done);
    a.label(empty);
    this.ks.empty(R7, out);
    a.label(done);
    this.stackTop -= 16;
    return out;
  },

  /**
   * A run-time error (a fixed message, or error()'s computed one): inside `try`, the catch block
   * runs with the message (as the interpreter); otherwise tell user space (which prints it as
   * stap does) and end the handler. MAXACTION is not catchable.
   */
  runtimeError(this: ProbeGen, message: string | A.Expr | { scratch: number }, tok: Token | null): void {
    if (typeof message === 'object' && 'scratch' in message) message = this.scratchExpr(message.scratch, tok ?? this.probe.tok);
    const handler = this.tries[this.tries.length - 1];
    if (handler && message !== 'MAXACTION exceeded') {
      if (handler.catchVar) {
        const msg = typeof message === 'string' ? this.bytesLiteral(message) : this.str(message);
        this.ks.copy(R7, this.stringLocals.get(handler.catchVar)!, R7, msg);
      }
      this.a.ja(this.to(handler.catchLabel));
      return;
    }
    this.a.mov64Imm(R1, 2);
    this.a.stxDW(R9, STATE_OFFSET, R1);
    if (typeof message === 'string') this.emitRecord({ kind: 'error', message, tok }, []);
    else this.emitRecord({ kind: 'error', message: null, tok }, [{ type: 'string', size: this.ks.maxLen }], [message]);
    this.a.ja(this.to(EXIT));
  },
};

export type OutputMethods = typeof outputMethods;
