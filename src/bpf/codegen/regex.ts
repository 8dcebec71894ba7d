// `=~` and `!~` in kernel handlers, and matched()/matched_str()/ngroups(). The regex's DFA
// (regex/dfa.ts) sits in the constants map and a bpf_loop walks the subject through it, one
// byte per step, stopping at the first match. When the script reads groups, a matching `=~`
// then runs the backtracker (regex/backtrack.ts, the same algorithm step for step, so the
// groups are the interpreter's) over a program table in the constants map, with its state in
// the CPU's entry of the `regex` map (regex-plan.ts); matched() copies out of that entry.

import type * as A from '../../parse/ast.js';
import type { Token } from '../../parse/token.js';
import { unescapeLiteral } from '../../format/escapes.js';
import { compiledRegex } from '../../regex/compiled.js';
import { AT_END, DEAD, MATCHED, MAX_DFA_STATES, type Dfa } from '../../regex/dfa.js';
import { RESTORE, UNSET16 } from '../../regex/backtrack.js';
import type { RegexProgram } from '../../regex/program.js';
import { R0, R1, R2, R3, R4, R5, R7, R8, type WReg } from '../insn.js';
import type { MapSpec } from '../spec.js';
import { stackEntries, type RegexPlan } from './regex-plan.js';
import { EXIT, unsupported } from './shared.js';
import type { ProbeGen } from './gen.js';

const OPCODES = { byte: 0, split: 1, jmp: 2, save: 3, bol: 4, eol: 5, match: 6 } as const;
/** Bytes per instruction in the program table: op, pad, x, y, arg (u16s). */
const INSN_BYTES = 8;
const SET_BYTES = 32;

function u16(n: number): string {
  return String.fromCharCode(n & 0xff, (n >> 8) & 0xff);
}

/** classOf[256], flags[states] (padded to 8), next[states * classes] (u16). */
function dfaTable(d: Dfa): { bytes: string; flags: number; next: number } {
  const flags = 256;
  const next = flags + Math.ceil(d.states / 8) * 8;
  let bytes = String.fromCharCode(...d.classOf) + String.fromCharCode(...d.flags).padEnd(next - flags, '\0');
  for (const s of d.next) bytes += u16(s);
  return { bytes, flags, next };
}

/** insns[n] (INSN_BYTES each), then the byte sets as 256-bit maps. */
function programTable(p: RegexProgram): { bytes: string; sets: number } {
  let bytes = '';
  for (const i of p.insns) {
    const x = i.op === 'split' || i.op === 'jmp' ? i.x : 0;
    const y = i.op === 'split' ? i.y : 0;
    const arg = i.op === 'byte' ? i.set : i.op === 'save' ? i.slot : 0;
    bytes += String.fromCharCode(OPCODES[i.op], 0) + u16(x) + u16(y) + u16(arg);
  }
  const sets = bytes.length;
  for (const s of p.sets) {
    for (let k = 0; k < SET_BYTES; k++) {
      let b = 0;
      for (let bit = 0; bit < 8; bit++) if (s[8 * k + bit]) b |= 1 << bit;
      bytes += String.fromCharCode(b);
    }
  }
  return { bytes, sets };
}

/** Per handler: where its regexes work, and their callbacks (one per regex, shared by its uses). */
export interface RegexSlots {
  /** Scratch: the subject; the DFA state, then the result. */
  readonly src: number;
  readonly st: number;
  /** Stack: the regex map entry's pointer (when the script reads groups). */
  readonly w: number;
  readonly dfaSteps: Map<string, string>;
  readonly backtrackSteps: Map<string, string>;
  clear?: string;
}

export const regexMethods = {
  /**
   * The handler's RegexSlots, reserved before its body is generated. The CPU's regex map entry
   * is looked up once, here: its pointer stays in one stack slot that holds nothing else (a
   * slot holding a pointer on some paths and a number on others keeps the verifier from
   * pruning, and a foreach over matches then explodes).
   */
  reserveRegexSlots(this: ProbeGen): void {
    const w = this.layout.regexPlan ? this.stack(8) : 0;
    this.regexSlots = { src: this.scratch(this.SLOT), st: this.scratch(16), w, dfaSteps: new Map(), backtrackSteps: new Map() };
    if (!w) return;
    const a = this.a;
    a.call('get_smp_processor_id');
    a.stxW(this.fp, w, R0);
    a.ldMapFd(R1, this.useRegexMap());
    a.mov64Reg(R2, this.fp);
    a.alu64Imm('add', R2, w);
    a.call('map_lookup_elem');
    a.jmpImm('jeq', R0, 0, this.to(EXIT)); // never: every possible CPU has an entry
    a.stxDW(this.fp, w, R0);
  },

  /** R0 = `e` (1 or 0). */
  regexQuery(this: ProbeGen, e: A.RegexQuery): void {
    const a = this.a;
    const { program, dfa } = compiledRegex(unescapeLiteral(e.right.value));
    if (!dfa) throw unsupported(`a regular expression this large (more than ${MAX_DFA_STATES} DFA states)`, e.right.tok);
    const slots = this.regexSlots!;
    const { src, st } = slots;
    // The subject goes where this handler's regex callbacks read it: one callback per regex.
    this.ks.copy(R7, src, R7, this.str(e.left));
    a.stDW(R7, st, 0);
    a.stDW(R7, st + 8, 0);
    const pattern = e.right.value;
    let dfaStep: string | undefined = slots.dfaSteps.get(pattern);
    if (!dfaStep) slots.dfaSteps.set(pattern, dfaStep = this.callback('loop', () => { this.dfaStep(dfa, src, st); }).name);
    this.runLoop(this.ks.maxLen, dfaStep);
    const plan = this.layout.regexPlan;
    if (plan) this.recordMatch(plan, program, pattern, e.right.tok);
    a.ldxDW(R0, R7, st + 8);
    if (e.op === '!~') a.alu64Imm('xor', R0, 1);
  },

  /** One byte of the subject through the DFA (dfaSearch's loop body; R1 = the index). */
  dfaStep(this: ProbeGen, dfa: Dfa, src: number, st: number): void {
    const a = this.a;
    const S = this.ks.maxLen;
    const table = dfaTable(dfa);
    const where = this.layout.constant(table.bytes);
    const stop = this.fresh('re_stop');
    const found = this.fresh('re_found');
    a.mov64Reg(R2, R1);
    a.jmpImm('jge', R2, S, stop);
    a.ldxDW(R3, R7, st);
    a.jmpImm('jge', R3, dfa.states, stop); // never: states come from the table
    a.ldMapValue(R4, where.map, where.offset);
    a.mov64Reg(R1, R4);
    a.alu64Reg('add', R1, R3);
    a.ldxB(R5, R1, table.flags);
    a.jmpImm('jset', R5, MATCHED, found);
    a.jmpImm('jset', R5, DEAD, stop);
    a.mov64Reg(R1, R7);
    a.alu64Reg('add', R1, R2);
    a.ldxB(R0, R1, src);
    const more = this.fresh('re_more');
    a.jmpImm('jne', R0, 0, more);
    a.jmpImm('jset', R5, AT_END, found);
    a.ja(stop);
    a.label(more);
    a.mov64Reg(R1, R4);
    a.alu64Reg('add', R1, R0);
    a.ldxB(R0, R1, 0); // the byte's class
    a.alu64Imm('mul', R3, dfa.classes);
    a.alu64Reg('add', R3, R0);
    a.jmpImm('jge', R3, dfa.states * dfa.classes, stop); // never
    a.alu64Imm('lsh', R3, 1);
    a.alu64Reg('add', R4, R3);
    a.ldxH(R3, R4, table.next);
    a.stxDW(R7, st, R3);
    a.mov64Imm(R0, 0);
    a.exit();
    a.label(found);
    a.stDW(R7, st + 8, 1);
    a.label(stop);
    a.mov64Imm(R0, 1);
    a.exit();
  },

  /** R0 = this CPU's entry of the regex map (looked up as the handler starts); returns its stack slot. */
  regexEntry(this: ProbeGen): number {
    const w = this.regexSlots!.w;
    this.a.ldxDW(R0, this.fp, w);
    return w;
  },

  useRegexMap(this: ProbeGen): MapSpec {
    const plan = this.layout.regexPlan!;
    return this.layout.regexMap ??= this.layout.addMap({ name: 'regex', kind: 'array', keySize: 4, valueSize: plan.size, maxEntries: this.layout.possibleCpus });
  },

  /**
   * After a decided `=~`: the CPU's last match becomes this one, and when it matched the
   * backtracker finds its groups.
   */
  recordMatch(this: ProbeGen, plan: RegexPlan, p: RegexProgram, pattern: string, tok: Token): void {
    const a = this.a;
    const slots = this.regexSlots!;
    const { src, w } = slots;
    const result = slots.st + 8;
    const S = this.ks.maxLen;
    const steps = 3 * p.insns.length * S + 2 * S + 2;
    if (S > UNSET16 || p.insns.length >= 0x8000 || steps > 1 << 23) {
      throw unsupported('groups of a regular expression this large (matched, ngroups)', tok);
    }
    const done = this.fresh('re_done');
    this.regexEntry();
    a.ldxDW(R1, R7, result);
    a.stxDW(R0, plan.result, R1);
    a.stDW(R0, plan.count, p.groups);
    // The subject's copy; probe_read_kernel_str's count less the NUL is its length.
    a.mov64Reg(R1, R0);
    a.alu64Imm('add', R1, plan.subject);
    a.mov64Imm(R2, S);
    a.mov64Reg(R3, R7);
    a.alu64Imm('add', R3, src);
    a.call('probe_read_kernel_str');
    a.alu64Imm('sub', R0, 1);
    this.clampSigned(R0, 0, S - 1);
    a.ldxDW(R1, this.fp, w);
    a.stxDW(R1, plan.length, R0);
    a.ldxDW(R2, R7, result);
    a.jmpImm('jeq', R2, 0, done);
    for (let k = 0; k < 2 * p.groups; k++) a.stDW(R1, plan.caps + 8 * k, -1);
    // Visited bits: rows of length + 1, cleared a word at a time.
    a.alu64Imm('add', R0, 1);
    a.alu64Imm('mul', R0, p.insns.length);
    a.alu64Imm('add', R0, 63);
    a.alu64Imm('rsh', R0, 6);
    slots.clear ??= this.callback('loop', () => { this.clearVisited(plan, w); }).name;
    a.mov64Reg(R1, R0);
    a.ldFunc(R2, slots.clear);
    a.mov64Reg(R3, this.fp);
    a.mov64Imm(R4, 0);
    a.call('loop');
    // The first job, (0, 0), on the stack; the first step pops it.
    a.ldxDW(R1, this.fp, w);
    a.stW(R1, plan.stack, 0);
    a.stDW(R1, plan.sp, 1);
    a.stDW(R1, plan.start, 0);
    a.stDW(R1, plan.popping, 1);
    let step: string | undefined = slots.backtrackSteps.get(pattern);
    if (!step) slots.backtrackSteps.set(pattern, step = this.callback('loop', () => { this.backtrackStep(plan, p, w); }).name);
    this.runLoop(steps, step);
    a.label(done);
  },

  /** Word R1 of the visited bits = 0 (a bpf_loop callback). */
  clearVisited(this: ProbeGen, plan: RegexPlan, w: number): void {
    const a = this.a;
    const stop = this.fresh('re_cleared');
    a.jmpImm('jge', R1, Math.ceil((plan.maxInsns * this.ks.maxLen) / 64), stop);
    a.alu64Imm('lsh', R1, 3);
    a.ldxDW(R2, R8, w);
    a.alu64Reg('add', R2, R1);
    a.stDW(R2, plan.visited, 0);
    a.mov64Imm(R0, 0);
    a.exit();
    a.label(stop);
    a.mov64Imm(R0, 1);
    a.exit();
  },

  /** One step of backtrack.ts's loop: a pop, or one instruction at (pc, pos). */
  backtrackStep(this: ProbeGen, plan: RegexPlan, p: RegexProgram, w: number): void {
    const a = this.a;
    const S = this.ks.maxLen;
    const table = programTable(p);
    const where = this.layout.constant(table.bytes);
    const maxStack = stackEntries(p, S);
    const stop = this.fresh('bt_stop');
    const next = this.fresh('bt_next');
    const fail = this.fresh('bt_fail');
    const run = this.fresh('bt_run');
    const W: WReg = R5;
    a.ldxDW(W, R8, w);
    a.ldxDW(R0, W, plan.popping);
    a.jmpImm('jeq', R0, 0, run);

    // Pop: a job, a capture to restore, or (empty) the next start position.
    const nonEmpty = this.fresh('bt_pop');
    a.ldxDW(R1, W, plan.sp);
    a.jmpImm('jne', R1, 0, nonEmpty);
    a.ldxDW(R2, W, plan.start);
    a.alu64Imm('add', R2, 1);
    a.ldxDW(R3, W, plan.length);
    a.jmpReg('jgt', R2, R3, stop); // no match (the DFA said there is one: never)
    a.stxDW(W, plan.start, R2);
    a.stDW(W, plan.pc, 0);
    a.stxDW(W, plan.pos, R2);
    a.stDW(W, plan.popping, 0);
    a.ja(next);
    a.label(nonEmpty);
    a.alu64Imm('sub', R1, 1);
    a.jmpImm('jge', R1, maxStack, stop);
    a.stxDW(W, plan.sp, R1);
    a.alu64Imm('lsh', R1, 2);
    a.alu64Reg('add', R1, W);
    a.ldxW(R0, R1, plan.stack);
    const restore = this.fresh('bt_restore');
    a.jmpImm('jset', R0, RESTORE | 0, restore);
    a.mov64Reg(R1, R0);
    a.alu64Imm('rsh', R1, 16);
    a.alu64Imm('and', R0, 0xffff);
    a.stxDW(W, plan.pc, R1);
    a.stxDW(W, plan.pos, R0);
    a.stDW(W, plan.popping, 0);
    a.ja(next);
    a.label(restore);
    // A capture slot's old value back (UNSET16: -1).
    a.mov64Reg(R1, R0);
    a.alu64Imm('rsh', R1, 16);
    a.alu64Imm('and', R1, 0x7fff);
    a.jmpImm('jge', R1, 2 * plan.maxGroups, stop);
    a.alu64Imm('and', R0, 0xffff);
    const set = this.fresh('bt_set');
    a.jmpImm('jne', R0, UNSET16, set);
    a.mov64Imm(R0, -1);
    a.label(set);
    a.alu64Imm('lsh', R1, 3);
    a.alu64Reg('add', R1, W);
    a.stxDW(R1, plan.caps, R0);
    a.ja(next);

    // Run: mark (pc, pos) visited (already: pop instead), then its instruction.
    a.label(run);
    a.ldxDW(R1, W, plan.pc);
    a.jmpImm('jge', R1, p.insns.length, stop);
    a.ldxDW(R2, W, plan.pos);
    a.jmpImm('jge', R2, S, stop);
    a.ldxDW(R3, W, plan.length);
    a.alu64Imm('add', R3, 1);
    a.alu64Reg('mul', R3, R1);
    a.alu64Reg('add', R3, R2); // the bit
    a.mov64Reg(R4, R3);
    a.alu64Imm('and', R4, 7);
    a.alu64Imm('rsh', R3, 3);
    a.jmpImm('jge', R3, Math.ceil((plan.maxInsns * S) / 64) * 8, stop);
    a.alu64Reg('add', R3, W);
    a.ldxB(R0, R3, plan.visited);
    a.alu64Reg('rsh', R0, R4);
    a.jmpImm('jset', R0, 1, fail);
    a.ldxB(R0, R3, plan.visited);
    a.mov64Imm(R2, 1);
    a.alu64Reg('lsh', R2, R4);
    a.alu64Reg('or', R0, R2);
    a.stxB(R3, plan.visited, R0);
    // R4 = the instruction's address in the table.
    a.alu64Imm('mul', R1, INSN_BYTES);
    a.ldMapValue(R4, where.map, where.offset);
    a.alu64Reg('add', R4, R1);
    a.ldxB(R0, R4, 0);
    const ops = Object.fromEntries(Object.keys(OPCODES).map((k) => [k, this.fresh(`bt_${k}`)])) as Record<keyof typeof OPCODES, string>;
    for (const [op, code] of Object.entries(OPCODES)) a.jmpImm('jeq', R0, code, ops[op as keyof typeof OPCODES]);
    a.ja(stop);

    const advance = (pcDelta: boolean, posDelta: boolean) => {
      if (pcDelta) {
        a.ldxDW(R1, W, plan.pc);
        a.alu64Imm('add', R1, 1);
        a.stxDW(W, plan.pc, R1);
      }
      if (posDelta) {
        a.ldxDW(R1, W, plan.pos);
        a.alu64Imm('add', R1, 1);
        a.stxDW(W, plan.pos, R1);
      }
      a.ja(next);
    };
    /** stack[sp++] = R0 (R5 = W kept). */
    const push = () => {
      a.ldxDW(R1, W, plan.sp);
      a.jmpImm('jge', R1, maxStack, stop); // never: the stack is sized for the worst case
      a.mov64Reg(R2, R1);
      a.alu64Imm('add', R2, 1);
      a.stxDW(W, plan.sp, R2);
      a.alu64Imm('lsh', R1, 2);
      a.alu64Reg('add', R1, W);
      a.stxW(R1, plan.stack, R0);
    };

    a.label(ops.byte);
    a.ldxDW(R2, W, plan.pos);
    a.ldxDW(R3, W, plan.length);
    a.jmpReg('jge', R2, R3, fail);
    a.jmpImm('jge', R2, S, stop);
    a.alu64Reg('add', R2, W);
    a.ldxB(R2, R2, plan.subject); // the byte
    a.ldxH(R1, R4, 6); // its set
    a.jmpImm('jge', R1, p.sets.length, stop);
    a.alu64Imm('mul', R1, SET_BYTES);
    a.mov64Reg(R3, R2);
    a.alu64Imm('rsh', R3, 3);
    a.alu64Reg('add', R1, R3);
    a.ldMapValue(R3, where.map, where.offset + table.sets);
    a.alu64Reg('add', R3, R1);
    a.ldxB(R0, R3, 0);
    a.alu64Imm('and', R2, 7);
    a.alu64Reg('rsh', R0, R2);
    const inSet = this.fresh('bt_in');
    a.jmpImm('jset', R0, 1, inSet);
    a.ja(fail);
    a.label(inSet);
    advance(true, true);

    a.label(ops.split);
    // Push (y, pos), go on at x.
    a.ldxH(R0, R4, 4);
    a.alu64Imm('lsh', R0, 16);
    a.ldxDW(R1, W, plan.pos);
    a.alu64Reg('or', R0, R1);
    push();
    a.label(ops.jmp);
    a.ldxH(R1, R4, 2);
    a.stxDW(W, plan.pc, R1);
    a.ja(next);

    a.label(ops.save);
    // Push the slot's old value (to restore on backtracking), then slot = pos.
    a.ldxH(R3, R4, 6);
    a.jmpImm('jge', R3, 2 * plan.maxGroups, stop);
    a.mov64Reg(R1, R3);
    a.alu64Imm('lsh', R1, 3);
    a.alu64Reg('add', R1, W);
    a.ldxDW(R0, R1, plan.caps);
    a.alu64Imm('and', R0, 0xffff);
    a.mov64Reg(R2, R3);
    a.alu64Imm('lsh', R2, 16);
    a.alu64Reg('or', R0, R2);
    a.alu64Imm('or', R0, RESTORE | 0);
    push();
    a.mov64Reg(R1, R3);
    a.alu64Imm('lsh', R1, 3);
    a.alu64Reg('add', R1, W);
    a.ldxDW(R2, W, plan.pos);
    a.stxDW(R1, plan.caps, R2);
    advance(true, false);

    a.label(ops.bol);
    a.ldxDW(R2, W, plan.pos);
    a.jmpImm('jne', R2, 0, fail);
    advance(true, false);

    a.label(ops.eol);
    a.ldxDW(R2, W, plan.pos);
    a.ldxDW(R3, W, plan.length);
    a.jmpReg('jne', R2, R3, fail);
    advance(true, false);

    a.label(ops.match);
    a.ja(stop);

    a.label(fail);
    a.stDW(W, plan.popping, 1);
    a.label(next);
    a.mov64Imm(R0, 0);
    a.exit();
    a.label(stop);
    a.mov64Imm(R0, 1);
    a.exit();
  },
};

export const groupReaderMethods = {
  /** matched(n) / matched_str(): group n of the CPU's last match, as intrinsics/regex.ts gives it. */
  matchedGroup(this: ProbeGen, e: A.FunctionCall): number {
    const a = this.a;
    const S = this.ks.maxLen;
    const n = this.stack(8);
    if (e.args.length === 0) a.mov64Imm(R0, 0);
    else this.long(e.args[0]!);
    a.stxDW(this.fp, n, R0);
    const out = this.scratch(this.SLOT);
    const plan = this.layout.regexPlan;
    if (!plan) {
      // No =~ in the script: no match to read (stap's count of groups is still 0).
      this.failWith('Attempted to get nonexistent subexpression %lld', [n], e.tok);
      this.stackTop -= 8;
      return out;
    }
    const none = this.fresh('mt_none');
    const done = this.fresh('mt_done');
    const w = this.regexEntry();
    const inRange = this.fresh('mt_in');
    const fits = this.fresh('mt_fits');
    a.ldxDW(R1, this.fp, n);
    a.ldxDW(R2, R0, plan.count);
    const bad = this.fresh('mt_bad');
    a.jmpImm('jslt', R1, 0, bad);
    a.jmpReg('jslt', R1, R2, inRange);
    a.label(bad);
    this.failWith('Attempted to get nonexistent subexpression %lld', [n], e.tok);
    a.label(inRange);
    a.ldxDW(R0, this.fp, w);
    a.ldxDW(R2, R0, plan.result);
    a.jmpImm('jne', R2, 0, fits);
    this.failWith('Attempted to get subexpression %lld from failed match', [n], e.tok);
    a.label(fits);
    // R3 = start, R4 = end (an unset group: both 0).
    a.ldxDW(R1, this.fp, n);
    a.jmpImm('jge', R1, plan.maxGroups, none); // never: n < count <= maxGroups
    a.alu64Imm('lsh', R1, 4);
    a.ldxDW(R0, this.fp, w);
    a.alu64Reg('add', R1, R0);
    a.ldxDW(R3, R1, plan.caps);
    a.ldxDW(R4, R1, plan.caps + 8);
    const set = this.fresh('mt_set');
    const unset = this.fresh('mt_unset');
    a.jmpImm('jslt', R3, 0, unset);
    a.jmpImm('jsge', R4, 0, set);
    a.label(unset);
    a.mov64Imm(R3, 0);
    a.mov64Imm(R4, 0);
    a.label(set);
    a.alu64Reg('sub', R4, R3);
    a.jmpImm('jsle', R4, 0, none);
    this.clampSigned(R3, 0, S - 1);
    this.clampSigned(R4, 1, S - 1);
    a.mov64Reg(R2, R4);
    a.alu64Imm('add', R2, 1); // with the NUL
    a.alu64Reg('add', R3, R0);
    a.alu64Imm('add', R3, plan.subject);
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, out);
    a.call('probe_read_kernel_str');
    this.ks.fixTail(R7, out);
    a.ja(done);
    a.label(none);
    this.ks.empty(R7, out);
    a.label(done);
    this.stackTop -= 8;
    return out;
  },

  /** ngroups(): the groups of the CPU's last match (group 0 included). */
  ngroupsOf(this: ProbeGen, e: A.FunctionCall): void {
    const a = this.a;
    const plan = this.layout.regexPlan;
    const failed = this.fresh('ng_failed');
    const done = this.fresh('ng_done');
    if (plan) {
      this.regexEntry();
      a.ldxDW(R1, R0, plan.result);
      a.jmpImm('jeq', R1, 0, failed);
      a.ldxDW(R0, R0, plan.count);
      a.ja(done);
    }
    a.label(failed);
    this.failWith('Attempted to get subexpression count from failed match', [], e.tok);
    a.label(done);
  },
};

export type GroupReaderMethods = typeof groupReaderMethods;
export type RegexMethods = typeof regexMethods;
