// Library functions of stap's tapsets in kernel handlers, those written here as eBPF: byte
// order and device numbers, clocks, session facts (constants of the run, as the interpreter's),
// string probes (isdigit, stringat, strpos), randint, assert, abort, and probe facts (pn,
// probefunc, is_return, user_mode). Each gives what the interpreter's intrinsic gives.

import type * as A from '../../parse/ast.js';
import { callIntrinsic, createIntrinsicContext, type IntrinsicContext } from '../../intrinsics/index.js';
import { hostSession } from '../../runtime/meta/host-session.js';
import { jiffiesFactors } from '../../intrinsics/conversions.js';
import { isSyscallExit } from '../../elaborate/kernel-lowering.js';
import { R0, R1, R2, R6, R7, R9 } from '../insn.js';
import { STATE_OFFSET, EXIT } from './shared.js';
import type { ProbeGen } from './gen.js';

/** Session facts the interpreter reports too, compiled in as constants. */
const SESSION_LONGS = new Set(['HZ', 'mem_page_size', 'stp_pid', 'remote_id', 'tz_gmtoff']);
const SESSION_STRINGS = new Set(['module_name', 'remote_uri', 'tz_name']);

let session: IntrinsicContext | null = null;
/** The interpreter's view of the session, for the constants above (built at run time, not in the snapshot). */
function sessionContext(): IntrinsicContext {
  return (session ??= createIntrinsicContext({ session: hostSession() }));
}

/** stap's randint() refuses ranges wider than this (runtime/linux/arith.c). */
const RANDMAX = 1024 * 1024;

export const libraryMethods = {
  /** R0 = the value of long-valued library call `e`; false when it has no kernel implementation. */
  libraryLong(this: ProbeGen, e: A.FunctionCall): boolean {
    const a = this.a;
    const name = e.name;
    const sig = `${name}/${e.args.length}`;
    if (e.args.length === 0 && SESSION_LONGS.has(name)) {
      a.ldImm64(R0, callIntrinsic(sessionContext(), name) as bigint);
      return true;
    }
    const swap = /^(?:hton|ntoh)(s|l|ll)$|^big_endian([248])$/.exec(name);
    if (swap && e.args.length === 1) {
      // A little-endian machine: network order and big endian are a byte swap of the low bytes.
      this.long(e.args[0]!);
      a.be(R0, swap[1] === 's' || swap[2] === '2' ? 16 : swap[1] === 'l' || swap[2] === '4' ? 32 : 64);
      return true;
    }
    const little = /^little_endian([248])$/.exec(name);
    if (little && e.args.length === 1) {
      this.long(e.args[0]!);
      a.le(R0, (Number(little[1]) * 8) as 16 | 32 | 64);
      return true;
    }
    // cpu_clock_*(cpu) and local_clock_*(): the monotonic clock (the interpreter's too).
    const clock = /^(cpu|local)_clock_(ns|us|ms|s)$/.exec(name);
    if (clock && e.args.length === (clock[1] === 'cpu' ? 1 : 0)) {
      if (clock[1] === 'cpu') this.cpuOnline(e);
      a.call('ktime_get_ns');
      this.divideClock(clock[2]!);
      return true;
    }
    switch (sig) {
      case 'MAJOR/1': this.long(e.args[0]!); a.alu64Imm('arsh', R0, 20); a.mov32Reg(R0, R0); return true;
      case 'MINOR/1': this.long(e.args[0]!); a.alu64Imm('and', R0, 0xfffff); return true;
      case 'MKDEV/2': {
        const slot = this.stack(8);
        this.long(e.args[0]!);
        a.stxDW(this.fp, slot, R0);
        this.long(e.args[1]!);
        a.ldxDW(R1, this.fp, slot);
        a.alu64Imm('lsh', R1, 20);
        a.alu64Reg('or', R0, R1);
        this.stackTop -= 8;
        return true;
      }
      case 'usrdev2kerndev/1': {
        // new_decode_dev() of the low 32 bits: major 0xfff00 >> 8, minor 0xff | (>> 12 & 0xfff00).
        this.long(e.args[0]!);
        a.mov32Reg(R0, R0);
        a.mov64Reg(R1, R0);
        a.alu64Imm('and', R1, 0xfff00);
        a.alu64Imm('lsh', R1, 20 - 8);
        a.mov64Reg(R2, R0);
        a.alu64Imm('rsh', R2, 12);
        a.alu64Imm('and', R2, 0xfff00);
        a.alu64Imm('and', R0, 0xff);
        a.alu64Reg('or', R0, R2);
        a.alu64Reg('or', R0, R1);
        return true;
      }
      case 'cputime_to_msecs/1': case 'cputime_to_usecs/1': this.jiffiesTo(e, name === 'cputime_to_msecs'); return true;
      case 'is_return/0': a.mov64Imm(R0, this.isReturnProbe() ? 1 : 0); return true;
      case 'user_mode/0': this.userMode(); return true;
      case 'randint/1': this.randint(e); return true;
      case 'isdigit/1': {
        const s = this.str(e.args[0]!);
        a.ldxB(R0, R7, s);
        a.alu64Imm('sub', R0, 0x30);
        // Unsigned: below '0' wraps to a large number.
        this.boolOf('jlt', 10);
        return true;
      }
      case 'stringat/2': this.stringAt(e); return true;
      case 'strpos/2': {
        this.isinstrIndex(this.str(e.args[0]!), this.str(e.args[1]!), e.tok);
        const found = this.fresh('strpos');
        a.jmpImm('jsge', R0, 0, found);
        a.mov64Imm(R0, -1);
        a.label(found);
        return true;
      }
      case 'assert/1': case 'assert/2': {
        this.long(e.args[0]!);
        const ok = this.fresh('assert_ok');
        a.jmpImm('jne', R0, 0, ok);
        if (e.args.length === 1) this.runtimeError('Assertion failed', null);
        else this.runtimeError(e.args[1]!, null);
        a.label(ok);
        a.mov64Imm(R0, 0);
        return true;
      }
      case 'abort/0': {
        // exit(), and the handler stops here (stap's CONTEXT->aborted): no error, end probes run.
        a.mov64Imm(R1, 1);
        a.stxDW(R9, STATE_OFFSET, R1);
        this.emitRecord({ kind: 'exit' }, []);
        a.ja(this.to(EXIT));
        return true;
      }
    }
    return false;
  },

  /** The scratch offset of the value of string-valued library call `e`; null when it has no kernel implementation. */
  libraryString(this: ProbeGen, e: A.FunctionCall): number | null {
    if (e.args.length !== 0) return null;
    const constant = (s: string) => this.bytesLiteral(s);
    if (SESSION_STRINGS.has(e.name)) return constant(callIntrinsic(sessionContext(), e.name) as string);
    // pn(): the probe point as listed (an alias's name); probefunc(): the probed kernel function,
    // "" where no function is probed (tracepoints and timers: stap has no registers to look at).
    if (e.name === 'pn') return constant(this.probe.listedAs ?? this.probe.site.point);
    if (e.name === 'probefunc') {
      const at = this.target.attach;
      return constant(at.kind === 'function' || at.kind === 'kprobe' ? at.func : '');
    }
    return null;
  },

  /** R0 /= the nanoseconds in `unit`. */
  divideClock(this: ProbeGen, unit: string): void {
    const div = { ns: 1, us: 1000, ms: 1000000, s: 1000000000 }[unit]!;
    if (div > 1) this.a.alu64Imm('div', R0, div);
  },

  /** The CPU argument of cpu_clock_*(): stap's "cpu N is not online" unless it is one of this machine's. */
  cpuOnline(this: ProbeGen, e: A.FunctionCall): void {
    const a = this.a;
    const online = [...sessionContext().session.onlineCpus].sort((x, y) => x - y);
    const slot = this.stack(8);
    this.long(e.args[0]!);
    a.stxDW(this.fp, slot, R0);
    const ok = this.fresh('cpu_ok');
    // Runs of consecutive CPUs, each one range test.
    for (let i = 0; i < online.length;) {
      let j = i;
      while (j + 1 < online.length && online[j + 1] === online[j]! + 1) j++;
      const next = this.fresh('cpu_run');
      a.jmpImm('jslt', R0, online[i]!, next);
      a.jmpImm('jsle', R0, online[j]!, ok);
      a.label(next);
      i = j + 1;
    }
    this.failWith('cpu %lld is not online', [slot], e.tok);
    a.label(ok);
    this.stackTop -= 8;
  },

  /**
   * cputime_to_msecs/usecs: modern kernels count cputime in jiffies, so stap's fallback is
   * jiffies_to_msecs (rounding up) or jiffies_to_usecs (down), in u64, returned as u32.
   */
  jiffiesTo(this: ProbeGen, e: A.FunctionCall, msecs: boolean): void {
    const a = this.a;
    const [num, den] = jiffiesFactors(msecs ? 1000n : 1000000n, BigInt(sessionContext().session.hz)).map(Number) as [number, number];
    this.long(e.args[0]!);
    if (num > 1) a.alu64Imm('mul', R0, num);
    if (msecs && den > 1) a.alu64Imm('add', R0, den - 1);
    if (den > 1) a.alu64Imm('div', R0, den);
    a.mov32Reg(R0, R0);
  },

  /** Whether this probe is at a return (stap's is_return(): .return probes, syscall exits). */
  isReturnProbe(this: ProbeGen): boolean {
    const at = this.target.attach;
    if (at.kind === 'function' || at.kind === 'kprobe') return at.ret;
    return this.probe.site.family === 'kernel.trace' && isSyscallExit(String(this.probe.site.params['trace'] ?? ''));
  },

  /**
   * R0 = whether the probe hit in user mode: only a sampled CPU (timer.profile, perf) can
   * interrupt user code; its pt_regs are the start of the context (x86-64: cs at 136, the
   * privilege level in its low two bits).
   */
  userMode(this: ProbeGen): void {
    const a = this.a;
    const at = this.target.attach;
    if (!(at.kind === 'perf' || (at.kind === 'cpu_clock' && at.freq !== null))) {
      a.mov64Imm(R0, 0);
      return;
    }
    a.ldxDW(R0, R6, 136);
    a.alu64Imm('and', R0, 3);
    this.boolOf('jeq', 3);
  },

  /** randint(n): uniform in [0, n) from the kernel's PRNG; stap's "range too wide" past 2^20 (as unsigned). */
  randint(this: ProbeGen, e: A.FunctionCall): void {
    const a = this.a;
    const slot = this.stack(8);
    this.long(e.args[0]!);
    a.stxDW(this.fp, slot, R0);
    const ok = this.fresh('rand_ok');
    const done = this.fresh('rand_done');
    a.mov64Imm(R1, RANDMAX);
    a.jmpReg('jle', R0, R1, ok);
    this.runtimeError('range too wide', e.tok);
    a.label(ok);
    a.mov64Imm(R0, 0);
    a.ldxDW(R1, this.fp, slot);
    a.jmpImm('jeq', R1, 0, done);
    a.call('get_prandom_u32');
    a.mov32Reg(R0, R0);
    a.ldxDW(R1, this.fp, slot);
    a.alu64Reg('mod', R0, R1);
    a.label(done);
    this.stackTop -= 8;
  },

  /** stringat(s, pos): the byte at pos as a signed char; stap's "Position out of bounds" outside the string. */
  stringAt(this: ProbeGen, e: A.FunctionCall): void {
    const a = this.a;
    const s = this.str(e.args[0]!);
    const pos = this.stack(8);
    this.long(e.args[1]!);
    a.stxDW(this.fp, pos, R0);
    this.strlenOf(s);
    const bad = this.fresh('at_bad');
    const ok = this.fresh('at_ok');
    a.ldxDW(R1, this.fp, pos);
    a.jmpImm('jslt', R1, 0, bad);
    a.jmpReg('jsge', R1, R0, bad);
    // The verifier wants the index bounded by the slot.
    a.jmpImm('jsge', R1, this.ks.maxLen - 1, bad);
    a.mov64Reg(R2, R7);
    a.alu64Reg('add', R2, R1);
    a.ldxs('b', R0, R2, s);
    a.ja(ok);
    a.label(bad);
    this.runtimeError('Position out of bounds', e.tok);
    a.label(ok);
    this.stackTop -= 8;
  },
};

export type LibraryMethods = typeof libraryMethods;

