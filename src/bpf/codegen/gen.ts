// Code generation for one kernel probe handler: the elaborated handler body to eBPF. Values are
// computed into R0 with intermediates on the BPF stack; strings live in fixed slots of a per-CPU
// scratch area (R7); scalar globals in one array map value (R9); ctx in R6. Constructs not yet
// supported in kernel context are compile errors naming the construct (docs/compat.md).

import { histOpOf } from '../../elaborate/hist-op.js';
import { EMPTY_AGGREGATE, HIST_INDEX_RANGE } from '../../format/errors.js';
import { arrayOverflowMessage } from '../../elaborate/runtime-messages.js';
import { straightLineCount } from '../../elaborate/straight-line.js';
import { CONTEXT_STRINGS } from '../../elaborate/typecheck.js';
import { SemanticError } from '../../diag/errors.js';
import type * as A from '../../parse/ast.js';
import type { Token } from '../../parse/token.js';
import type { DerivedProbe, Func, Program as Elaborated, Var } from '../../elaborate/model.js';
import { unescapeLiteral } from '../../format/escapes.js';
import { forEachChild, type Node } from '../../parse/walk.js';
import { parseFormat } from '../../parse/format.js';
import { printComponents } from '../../format/print.js';
import { memberOf, resolved, sizeof } from '../../runtime/meta/btf-layout.js';
import { Assembler } from '../asm.js';
import { R0, R8, R1, R2, R3, R4, R5, R6, R7, R9, FP, type Reg, type WReg } from '../insn.js';
import type { MapSpec, ProgramSpec, RecordField, RecordFormat, RecordKind } from '../spec.js';
import { recordLayout } from '../../wire/records.js';
import {
  BPF_F_USER_BUILD_ID, BPF_F_USER_STACK, BUILD_ID_FRAME, USTACK_FIELDS, USTACK_FRAMES, USTACK_IDS_LEN, USTACK_IPS,
  USTACK_IPS_LEN, USTACK_MAX, USTACK_PID, USTACK_TIME,
} from '../../wire/ustack.js';
import { KernelLayout, SCRATCH_MAX, STAT_AVGS, STAT_COUNT, STAT_HIST, STAT_M2, STAT_MAX, STAT_MIN, STAT_SUM, STAT_VARS, type GlobalLoc } from './layout.js';
import { KernelStrings } from './kstrings.js';
import { prettyPrintCall } from './pretty.js';
import { emitSprintf, sprintfArgKinds, type SprintfArg } from './sprintf.js';
import type { Target } from './targets.js';
import { narrowIntType } from './c-int.js';
import { isDeferred } from './deferred.js';
import { USER_SYMBOL_FUNCTIONS } from '../../format/usyms.js';
import {
  ERRNO_COUNT, ERRNO_SLOT, errnoTable, SIGNAL_COUNT, SIGNAL_SLOT, signalTable, SYSCALL_NAME_COUNT, SYSCALL_NAME_SLOT, syscallNameTable,
} from './name-tables.js';
import type { Btf } from '../../runtime/meta/btf.js';

/** Globals-map offset of the counter of records the ring buffer could not take. */
export const DROPPED_OFFSET = 0;
/** Globals-map offset of target() (-x PID or the -c command's pid), set before attaching. */
export const TARGET_OFFSET = 8;
/**
 * Globals-map offset of the session state: 0 running; 1 stopping (exit()), 2 error. As in
 * stap, handlers do nothing once the session stops: the first kernel-side error or exit() sets
 * it at once, user space sets it when the session ends.
 */
export const STATE_OFFSET = 16;
/** Globals-map offset of realtime minus monotonic time in ns, set by user space at start. */
export const REALTIME_OFFSET = 24;
const ZERO_KEY = -8; // fp-8 holds a u32 0: the key of one-entry array maps
const EXIT = '__exit';

export class Records {
  readonly formats: RecordFormat[] = [];
  /** The print calls of all handlers; a printf record names one by index. */
  readonly printCalls: A.PrintFormat[] = [];
  add(what: RecordKind, fields: RecordField[]): RecordFormat {
    const f: RecordFormat = { id: this.formats.length + 1, what, fields };
    this.formats.push(f);
    return f;
  }
  /** A point to come back to: what `rollback` keeps. */
  mark(): { formats: number; printCalls: number } {
    return { formats: this.formats.length, printCalls: this.printCalls.length };
  }
  /** Forgets what was added since `m` (the code that referred to it was thrown away). */
  rollback(m: { formats: number; printCalls: number }): void {
    this.formats.length = m.formats;
    this.printCalls.length = m.printCalls;
  }
}

/** Scratch offsets of one string_quoted: input, output and the loop state between steps. */
interface QuoteState { src: number; out: number; j: number; room: number; esc: number; escLen: number; truncated: number }

const unsupported = (what: string, tok: Token) =>
  new SemanticError('kernel:unsupported', `not supported in kernel context yet: ${what}`, tok);

type Val = 'long' | 'string';

/** What the parts of one foreach's code share: the array, the order, scratch offsets. */
interface ForeachState {
  loc: Extract<GlobalLoc, { kind: 'array' }>;
  s: A.ForeachLoop;
  isStats: boolean;
  sortStr: boolean;
  /** Bytes of the sort value: 0 unsorted, 8 a long, a string slot. */
  sortSize: number;
  /** Whether the loop renumbers the array in its order (stap sorts in place). */
  reorder: boolean;
  keyOffsets: number[];
  keyCand: number; keyBest: number; valBest: number;
  sortCand: number; sortBest: number; sortPrev: number;
  seqCand: number; seqBest: number; seqPrev: number;
  haveBest: number; havePrev: number; floor: number; limit: number;
  stats: number;
  slice: number[];
}

export class ProbeGen {
  /** Where code goes: the handler's assembler, or a callback's while one is generated. */
  private a = new Assembler<MapSpec, Token>();
  /**
   * The base of the handler's stack frame: FP in the handler itself, R8 in callbacks (their
   * callback_ctx is the handler's frame, so locals and temporaries stay where they were).
   */
  private fp: Reg = FP;
  private readonly localSlots = new Map<Var, number>();
  private stackTop = 16; // bytes of stack in use below fp (fp-8: zero key, fp-16: spare)
  private scratchTop = 0;
  /** The most scratch any point of the handler used (statements reuse their temporaries). */
  private scratchHigh = 0;
  private readonly stringLocals = new Map<Var, number>();
  private labels = 0;
  /** String slots, copies and comparisons (kstrings.ts). */
  private readonly ks: KernelStrings;
  /** Bytes of a string slot. */
  private get SLOT(): number {
    return this.ks.slot;
  }

  constructor(
    private readonly prog: Elaborated,
    private readonly probe: DerivedProbe,
    private readonly layout: KernelLayout,
    private readonly records: Records,
    private readonly target: Target,
    /** Whether the prologue looks up the scratch area (skipped when the handler needs none). */
    private readonly withScratch = true,
    /** MAXACTION: loop iterations a handler may run (stap charges kernel handlers 1000). */
    private readonly maxAction = 1000,
    private readonly getBtf: () => Btf | null = () => null,
  ) {
    this.ks = new KernelStrings({
      asm: () => this.a,
      fresh: (h) => this.fresh(h),
      zeros: () => this.layout.constant('\0'.repeat(this.layout.strSlot - 1)),
    }, layout.maxStringLen);
  }

  /** Stack slot of the remaining action budget (only when the handler loops). */
  private actionsSlot = 0;
  private readonly loops: { brk: string; cont: string }[] = [];
  /** Enclosing try blocks, innermost last: where a catchable run-time error goes. */
  private readonly tries: { catchLabel: string; catchVar: Var | null }[] = [];
  /** Synthetic expressions standing for a string already computed into a scratch slot. */
  private readonly inScratch = new WeakMap<A.Expr, number>();
  /** Inlined functions being expanded: where `return` stores its value and jumps. */
  private readonly inlined: { fn: Func; result: number; end: string; type: Val; next: string; nextUsed: boolean }[] = [];
  /** Callback nesting: 0 in the handler's own code (see `callback`). */
  private depth = 0;
  /** The callback depth of each label a jump may leave a callback for (default 0). */
  private readonly labelDepth = new Map<string, number>();
  /** In a callback: outer label → the local stub that escapes to it. */
  private stubs: Map<string, string> | null = null;
  private readonly escapeCodes = new Map<string, number>();
  /** Callback subprograms, laid out after the handler. */
  private readonly subprogs: Assembler<MapSpec, Token>[] = [];
  private frameSlots: { ctx: number; scratch: number; escape: number } | null = null;
  /**
   * Scratch offset of the action budget while callbacks run. The verifier checks a callback
   * as if called any number of times, converging only on values it does not track exactly: a
   * budget on the stack starts as a known constant and would make it walk every iteration.
   * Read from map memory, the budget is just some number to it.
   */
  private callbackBudget = -1;
  /** The entry-deleting callback of `delete a`, one per map (see `clearArray`). */
  private readonly clearCallbacks = new Map<MapSpec, string>();

  /** Whether generated code used the scratch area (known after generate()). */
  get usedScratch(): boolean {
    return this.scratchHigh > 0;
  }

  /** The most scratch the handler used (known after generate()). */
  get scratchBytes(): number {
    return this.scratchHigh;
  }

  generate(name: string): ProgramSpec {
    const a = this.a;
    a.at(this.probe.tok);
    a.mov64Reg(R6, R1);
    a.stW(this.fp, ZERO_KEY, 0);
    if (this.withScratch) this.lookupOne(this.layout.scratch, R7);
    // The globals value is addressed directly (ld_imm64 of the map value, as libbpf does for
    // .bss): no helper call on the hot path.
    a.ldMapValue(R9, this.layout.globalsMap, 0);
    a.ldxDW(R1, R9, STATE_OFFSET);
    a.jmpImm('jne', R1, 0, EXIT);
    if (hasLoops(this.probe.body, this.prog)) {
      this.actionsSlot = this.stack(8);
      a.mov64Imm(R1, this.maxAction);
      a.stxDW(this.fp, this.actionsSlot, R1);
    }
    // A built-in string_quoted runs a bpf_loop callback (a script's own function of that name does not).
    const callbacks = (n: Node) => n.kind === 'foreach_loop' ||
      (n.kind === 'functioncall' && n.name === 'string_quoted' && !this.prog.bindings.calls.get(n)?.decl);
    if (contains(this.probe.body, this.prog, callbacks)) {
      // Callbacks find ctx and the scratch pointer here (see `callback`).
      this.frameSlots = { ctx: this.stack(8), scratch: this.stack(8), escape: this.stack(8) };
      a.stxDW(this.fp, this.frameSlots.ctx, R6);
      if (this.withScratch) a.stxDW(this.fp, this.frameSlots.scratch, R7);
      this.callbackBudget = this.scratch(8);
    }
    // As the interpreter (and stap): a loop-free handler longer than its budget fails up front.
    const straight = straightLineCount(this.prog, this.probe.body);
    if (straight !== null && straight > this.maxAction) this.runtimeError('MAXACTION exceeded', null);
    this.newLocals(this.probe.locals);
    if (this.probe.condition) {
      this.long(this.probe.condition);
      a.jmpImm('jeq', R0, 0, this.to(EXIT));
    }
    this.stmt(this.probe.body);
    a.label(EXIT);
    a.mov64Imm(R0, 0);
    a.exit();
    for (const sub of this.subprogs) a.append(sub);
    return { name, probe: this.probe.index, attach: this.target.attach, program: a.link({ pruneUnreachable: true }) };
  }

  // ---- foreach ---------------------------------------------------------------------------

  /**
   * `foreach` over a global array, in the kernel. Entries are visited in stap's order: by the
   * sort column (stable: ties by insertion number), else by insertion number (layout.ts). A
   * bpf_loop (Linux 5.17+) runs one iteration per visited entry; each iteration picks the next
   * entry with a selection pass of bpf_for_each_map_elem (5.13+) over the map, then runs the
   * body. The passes cost O(n) each, stap's sort O(n log n): both outside MAXACTION, as in stap.
   * Callbacks work on the handler's own frame (see `callback`), so locals are shared.
   * Entries inserted after the loop starts (insertion number past the counter read at the
   * start) are not visited, as the interpreter iterates a snapshot. A sorted loop over a whole
   * non-statistics array also renumbers every entry in the sorted order, since stap sorts the
   * array in place; entries the body did not get to (break, limit, an error) are renumbered by
   * a second loop without the body.
   */
  private foreach(s: A.ForeachLoop): void {
    const a = this.a;
    if (s.base.kind !== 'symbol') throw unsupported('foreach over a histogram', s.tok);
    const loc = this.globalLoc(s.base);
    if (loc.kind !== 'array') throw unsupported('foreach over this value', s.tok);
    const isStats = loc.value === 'stats';
    const sortStr = s.sortDirection !== 0 && (s.sortColumn > 0
      ? loc.keyFields[s.sortColumn - 1]!.type === 'string' : loc.value === 'string');
    const f: ForeachState = {
      loc, s, isStats, sortStr,
      sortSize: s.sortDirection === 0 ? 0 : sortStr ? this.SLOT : 8,
      reorder: s.sortDirection !== 0 && s.arraySlice.length === 0 && !isStats,
      keyOffsets: KernelLayout.keyOffsets(loc.keyFields),
      ...this.foreachScratch(loc, s),
    };
    this.tick(1, s.tok);
    a.at(s.tok);
    // The slice's values and the limit, once, in the interpreter's order.
    s.arraySlice.forEach((x, i) => {
      if (!x) return;
      if (loc.keyFields[i]!.type === 'string') {
        // Compared with whole key fields: cleared in full, like a key.
        const src = this.str(x);
        this.ks.zero(R7, f.slice[i]!, this.SLOT);
        this.ks.copy(R7, f.slice[i]!, R7, src);
      } else {
        this.long(x);
        a.stxDW(R7, f.slice[i]!, R0);
      }
    });
    if (s.limit) this.long(s.limit);
    else a.mov64Imm(R0, -1);
    a.stxDW(R7, f.limit, R0);
    a.ldMapValue(R1, this.layout.seq, 0);
    a.ldxDW(R1, R1, 0);
    a.stxDW(R7, f.floor, R1);
    a.stDW(R7, f.havePrev, 0);
    const select = this.callback('elem', () => this.selectPass(f)).name;
    const iterate = this.callback('loop', () => this.foreachIteration(f, select));
    this.runLoop(loc.map.maxEntries + 1, iterate.name);
    if (f.reorder) {
      // The rest of the array, renumbered in order (the body saw only part of it).
      const drain = this.callback('loop', () => {
        this.nextEntry(f, select, this.fresh('drained'));
        this.a.mov64Imm(R0, 0);
        this.a.exit();
      });
      this.runLoop(loc.map.maxEntries + 1, drain.name, false);
    }
    this.dispatchEscapes(iterate.escaped);
  }

  /** Scratch for one foreach: the candidate, best and previous entries of a selection pass. */
  private foreachScratch(loc: Extract<GlobalLoc, { kind: 'array' }>, s: A.ForeachLoop) {
    const keySize = loc.map.keySize;
    const sortSize = s.sortDirection === 0 ? 8 : this.SLOT; // room enough either way
    const valSize = loc.value === 'string' ? this.SLOT : 8;
    return {
      keyCand: this.scratch(keySize), keyBest: this.scratch(keySize), valBest: this.scratch(valSize),
      sortCand: this.scratch(sortSize), sortBest: this.scratch(sortSize), sortPrev: this.scratch(sortSize),
      seqCand: this.scratch(8), seqBest: this.scratch(8), seqPrev: this.scratch(8),
      haveBest: this.scratch(8), havePrev: this.scratch(8), floor: this.scratch(8), limit: this.scratch(8),
      stats: this.scratch(40), // count, sum, min, max, insertion number of a statistic, merged
      slice: s.arraySlice.map((x, i) => (x ? this.scratch(loc.keyFields[i]!.type === 'string' ? this.SLOT : 8) : -1)),
    };
  }

  /**
   * bpf_loop(n, callback, the handler's frame, 0); `fresh`: with no escape pending (the drain
   * loop after a body keeps the body's).
   */
  private runLoop(n: number, fn: string, fresh = true): void {
    const a = this.a;
    if (fresh) a.stDW(this.fp, this.frame().escape, 0);
    const handOver = this.depth === 0 && this.actionsSlot !== 0;
    if (handOver) {
      this.copy(R7, this.callbackBudget, this.fp, this.actionsSlot, 8);
    }
    a.mov64Imm(R1, Math.min(n, 1 << 23));
    a.ldFunc(R2, fn);
    a.mov64Reg(R3, this.fp);
    a.mov64Imm(R4, 0);
    a.call('loop');
    if (handOver) this.copy(this.fp, this.actionsSlot, R7, this.callbackBudget, 8);
  }

  /**
   * Selects the next entry into the "best" slots (haveBest 0: none left), makes it the previous
   * one and, when the loop sorts in place, gives it its new insertion number. Jumps to `none`
   * when no entry is left (and then returns 1 from the callback).
   */
  private nextEntry(f: ForeachState, select: string, none: string): void {
    const a = this.a;
    a.stDW(R7, f.haveBest, 0);
    a.ldMapFd(R1, f.loc.map);
    a.ldFunc(R2, select);
    a.mov64Reg(R3, this.fp);
    a.mov64Imm(R4, 0);
    a.call('for_each_map_elem');
    const found = this.fresh('found');
    a.ldxDW(R1, R7, f.haveBest);
    a.jmpImm('jne', R1, 0, found);
    a.label(none);
    a.mov64Imm(R0, 1);
    a.exit();
    a.label(found);
    if (f.sortStr) this.ks.copy(R7, f.sortPrev, R7, f.sortBest);
    else if (f.sortSize) this.copy(R7, f.sortPrev, R7, f.sortBest, f.sortSize);
    this.copy(R7, f.seqPrev, R7, f.seqBest, 8);
    a.stDW(R7, f.havePrev, 1);
    if (f.reorder) {
      const gone = this.fresh('gone');
      this.lookupKey(f.loc.map, f.keyBest);
      a.jmpImm('jeq', R0, 0, gone);
      a.mov64Reg(R2, R0);
      this.nextSeq();
      a.stxDW(R2, f.loc.seqOffset, R0);
      a.label(gone);
    }
  }

  /** One bpf_loop iteration: the limit, the next entry, the loop variables, the body. */
  private foreachIteration(f: ForeachState, select: string): void {
    const a = this.a;
    const { s } = f;
    const stop = this.fresh('festop');
    if (s.limit) {
      const unlimited = this.fresh('nolimit');
      a.ldxDW(R1, R7, f.limit);
      a.jmpImm('jslt', R1, 0, unlimited);
      a.jmpImm('jeq', R1, 0, stop);
      a.alu64Imm('sub', R1, 1);
      a.stxDW(R7, f.limit, R1);
      a.label(unlimited);
    }
    this.nextEntry(f, select, stop);
    s.indexes.forEach((ix, i) => {
      const field = f.loc.keyFields[i]!;
      this.assignFrom(ix, f.keyBest + f.keyOffsets[i]!, field.type === 'string');
    });
    if (s.value) {
      if (f.isStats) {
        a.mov64Imm(R1, 0);
        a.stxDW(R7, f.valBest, R1);
      }
      this.assignFrom(s.value, f.valBest, f.loc.value === 'string');
    }
    const cont = this.fresh('fecont');
    const brk = this.fresh('febrk');
    this.labelDepth.set(cont, this.depth);
    this.labelDepth.set(brk, this.depth);
    this.loops.push({ brk, cont });
    this.stmt(s.body);
    this.loops.pop();
    a.label(cont);
    this.tick(1, s.tok);
    a.mov64Imm(R0, 0);
    a.exit();
    a.label(brk);
    a.mov64Imm(R0, 1);
    a.exit();
  }

  /** A loop variable (local or scalar global) gets the long or string at scratch `off`. */
  private assignFrom(sym: A.SymbolExpr, off: number, isString: boolean): void {
    const v = this.varOf(sym);
    if (v.scope !== 'global') {
      if (isString) this.ks.copy(R7, this.stringLocals.get(v)!, R7, off);
      else this.copy(this.fp, this.localSlots.get(v)!, R7, off, 8);
      return;
    }
    const loc = this.globalLoc(sym);
    if (loc.kind !== 'scalar') throw unsupported('this foreach variable', sym.tok);
    if (isString) this.ks.copy(R9, loc.offset, R7, off);
    else this.copy(R9, loc.offset, R7, off, 8);
  }

  /**
   * The bpf_for_each_map_elem callback of a selection pass: the entry (R6 key, R9 value) becomes
   * the best so far if it comes after the previous one and before the best.
   */
  private selectPass(f: ForeachState): void {
    const a = this.a;
    const { loc, s } = f;
    const skip = this.fresh('skip');
    a.mov64Reg(R6, R2);
    a.mov64Reg(R9, R3);
    this.copyBytes(R7, f.keyCand, R6, 0, loc.map.keySize);
    if (f.isStats) this.mergeEntryStats(loc, f.keyCand, f.stats);
    else this.copy(R7, f.seqCand, R9, loc.seqOffset, 8);
    if (f.isStats) this.copy(R7, f.seqCand, R7, f.stats + 32, 8);
    a.ldxDW(R1, R7, f.seqCand);
    a.ldxDW(R2, R7, f.floor);
    a.jmpReg('jgt', R1, R2, skip); // inserted (or renumbered) since the loop started
    s.arraySlice.forEach((x, i) => {
      if (!x) return;
      const at = f.keyCand + f.keyOffsets[i]!;
      if (loc.keyFields[i]!.type === 'string') {
        const same = this.fresh('slice');
        this.ks.difference(R7, at, R7, f.slice[i]!, same);
        a.ja(skip);
        a.label(same);
      } else {
        a.ldxDW(R1, R7, at);
        a.ldxDW(R2, R7, f.slice[i]!);
        a.jmpReg('jne', R1, R2, skip);
      }
    });
    if (f.sortSize) {
      if (s.sortColumn > 0) this.copyValue(R7, f.sortCand, R7, f.keyCand + f.keyOffsets[s.sortColumn - 1]!, f.sortStr);
      else if (f.isStats) this.aggregateOf(f.stats, s.sortAggr ?? 'count', f.sortCand);
      else this.copyValue(R7, f.sortCand, R9, 0, f.sortStr);
    }
    const afterPrev = this.fresh('afterprev');
    a.ldxDW(R1, R7, f.havePrev);
    a.jmpImm('jeq', R1, 0, afterPrev);
    this.orderJump(f, f.sortPrev, f.seqPrev, afterPrev, skip);
    a.label(afterPrev);
    const take = this.fresh('take');
    a.ldxDW(R1, R7, f.haveBest);
    a.jmpImm('jeq', R1, 0, take);
    this.orderJump(f, f.sortBest, f.seqBest, skip, take);
    a.label(take);
    this.copyBytes(R7, f.keyBest, R7, f.keyCand, loc.map.keySize);
    if (f.sortSize) this.copyValue(R7, f.sortBest, R7, f.sortCand, f.sortStr);
    this.copy(R7, f.seqBest, R7, f.seqCand, 8);
    if (!f.isStats) this.copyValue(R7, f.valBest, R9, 0, loc.value === 'string');
    a.stDW(R7, f.haveBest, 1);
    a.label(skip);
    a.mov64Imm(R0, 0);
    a.exit();
  }

  /**
   * Jumps to `after` if the candidate comes after the entry whose sort value and insertion
   * number are at `sort` and `seq`, else to `before`: by the sort value in the loop's
   * direction (strings bytewise, as big-endian words), ties by insertion number.
   */
  private orderJump(f: ForeachState, sort: number, seq: number, after: string, before: string): void {
    const a = this.a;
    const asc = f.s.sortDirection > 0;
    const tie = this.fresh('tie');
    if (f.sortSize && !f.sortStr) {
      a.ldxDW(R1, R7, f.sortCand);
      a.ldxDW(R2, R7, sort);
      a.jmpReg(asc ? 'jsgt' : 'jslt', R1, R2, after);
      a.jmpReg(asc ? 'jslt' : 'jsgt', R1, R2, before);
    } else if (f.sortSize) {
      this.ks.difference(R7, f.sortCand, R7, sort, tie);
      a.jmpReg(asc ? 'jgt' : 'jlt', R1, R2, after);
      a.ja(before);
    }
    a.label(tie);
    a.ldxDW(R1, R7, f.seqCand);
    a.ldxDW(R2, R7, seq);
    a.jmpReg('jgt', R1, R2, after);
    a.ja(before);
  }

  /**
   * count, sum, min, max and insertion number of the statistic at key `keyOff`, every CPU's
   * copy merged (as statRead does), into the 40 scratch bytes at `out`.
   */
  private mergeEntryStats(loc: Extract<GlobalLoc, { kind: 'array' }>, keyOff: number, out: number): void {
    const a = this.a;
    for (let i = 0; i < 40; i += 8) a.stDW(R7, out + i, 0);
    const top = this.fresh('mcpu');
    const done = this.fresh('mdone');
    const next = this.fresh('mnext');
    const merge = this.fresh('mmerge');
    const nextCpu = this.percpuLoopHead(loc.map, keyOff, top, done);
    const keepSeq = this.fresh('mseq');
    a.ldxDW(R1, R0, loc.seqOffset);
    a.ldxDW(R2, R7, out + 32);
    a.jmpReg('jle', R1, R2, keepSeq);
    a.stxDW(R7, out + 32, R1);
    a.label(keepSeq);
    a.ldxDW(R1, R0, STAT_COUNT);
    a.jmpImm('jeq', R1, 0, next);
    a.ldxDW(R2, R7, out);
    a.jmpImm('jne', R2, 0, merge);
    // The first CPU with values sets min and max (R3: R1 holds the count).
    for (const at of [STAT_MIN, STAT_MAX]) {
      a.ldxDW(R3, R0, at);
      a.stxDW(R7, out + at - STAT_MIN + 16, R3);
    }
    a.label(merge);
    a.alu64Reg('add', R2, R1);
    a.stxDW(R7, out, R2);
    a.ldxDW(R2, R7, out + 8);
    a.ldxDW(R3, R0, STAT_SUM);
    a.alu64Reg('add', R2, R3);
    a.stxDW(R7, out + 8, R2);
    for (const [at, field, keep] of [[out + 16, STAT_MIN, 'jsge'], [out + 24, STAT_MAX, 'jsle']] as const) {
      const ok = this.fresh('mext');
      a.ldxDW(R2, R7, at);
      a.ldxDW(R3, R0, field);
      a.jmpReg(keep, R3, R2, ok);
      a.stxDW(R7, at, R3);
      a.label(ok);
    }
    a.label(next);
    nextCpu();
    a.label(done);
    this.stackTop -= 8;
  }

  /** The interpreter's aggregate of merged stats at `stats` for sorting (0 when empty). */
  private aggregateOf(stats: number, which: A.StatKind, out: number): void {
    const a = this.a;
    if (which === 'variance') throw unsupported('@variance', this.probe.tok);
    const field = { count: 0, sum: 8, min: 16, max: 24, avg: -1 }[which as 'count'];
    if (field >= 0 && (which === 'count' || which === 'sum')) {
      this.copy(R7, out, R7, stats + field, 8);
      return;
    }
    const empty = this.fresh('aggempty');
    const done = this.fresh('aggdone');
    a.ldxDW(R1, R7, stats);
    a.jmpImm('jeq', R1, 0, empty);
    if (which === 'avg') {
      a.ldxDW(R0, R7, stats + 8);
      a.alu64Reg('sdiv', R0, R1);
    } else a.ldxDW(R0, R7, stats + field);
    a.ja(done);
    a.label(empty);
    a.mov64Imm(R0, 0);
    a.label(done);
    a.stxDW(R7, out, R0);
  }

  // ---- callbacks ------------------------------------------------------------------------

  /** Frame slots every callback needs: the handler's ctx and scratch pointers, the escape code. */
  private frame(): { ctx: number; scratch: number; escape: number } {
    if (!this.frameSlots) throw new Error('internal error: callback frame slots were not set up');
    return this.frameSlots;
  }

  /**
   * Generates a callback subprogram (bpf_loop: R2 = ctx; bpf_for_each_map_elem: R4 = ctx) in
   * its own assembler, appended after the handler at the end. The handler's frame comes as
   * callback_ctx and becomes R8, the frame base of all generated code in the callback; R6 and
   * R7 are refilled from the handler's spill slots, R9 re-addressed. A jump to a label outside
   * the callback (an error, `next`, a catch, a function's return) becomes a stub that leaves an
   * escape code in the frame and returns 1; the caller then takes the jump (dispatchEscapes).
   */
  private callback(kind: 'loop' | 'elem', body: () => void): { name: string; escaped: string[] } {
    const saved = { a: this.a, fp: this.fp, stubs: this.stubs };
    const name = this.fresh('cb');
    const a = new Assembler<MapSpec, Token>();
    a.at(saved.a.currentSpan);
    a.func(name);
    this.a = a;
    this.fp = R8;
    this.depth++;
    this.stubs = new Map();
    const slots = this.frame();
    a.mov64Reg(R8, kind === 'loop' ? R2 : R4);
    if (kind === 'loop') a.ldxDW(R6, R8, slots.ctx);
    if (this.withScratch) a.ldxDW(R7, R8, slots.scratch);
    if (kind === 'loop') a.ldMapValue(R9, this.layout.globalsMap, 0);
    body();
    const escaped = [...this.stubs.keys()];
    for (const [label, stub] of this.stubs) {
      a.label(stub);
      let code = this.escapeCodes.get(label);
      if (code === undefined) this.escapeCodes.set(label, code = this.escapeCodes.size + 1);
      a.mov64Imm(R1, code);
      a.stxDW(R8, slots.escape, R1);
      a.mov64Imm(R0, 1);
      a.exit();
    }
    this.subprogs.push(a);
    this.a = saved.a;
    this.fp = saved.fp;
    this.stubs = saved.stubs;
    this.depth--;
    return { name, escaped };
  }

  /** After a callback loop: the jumps out that its callback asked for (see `callback`). */
  private dispatchEscapes(escaped: string[]): void {
    if (escaped.length === 0) return;
    const a = this.a;
    a.ldxDW(R1, this.fp, this.frame().escape);
    for (const label of escaped) a.jmpImm('jeq', R1, this.escapeCodes.get(label)!, this.to(label));
  }

  /** `label` as a jump target from the code being generated: itself, or an escape stub. */
  private to(label: string): string {
    if ((this.labelDepth.get(label) ?? 0) >= this.depth) return label;
    let stub = this.stubs!.get(label);
    if (!stub) {
      stub = this.fresh('esc');
      this.stubs!.set(label, stub);
    }
    return stub;
  }

  // ---- storage helpers --------------------------------------------------------------

  private fresh(hint: string): string {
    return `${hint}${++this.labels}`;
  }

  private stack(bytes: number): number {
    this.stackTop += Math.ceil(bytes / 8) * 8;
    if (this.stackTop > 512) throw unsupported('handlers needing more than 512 bytes of BPF stack', this.probe.tok);
    return -this.stackTop;
  }

  private scratch(bytes: number): number {
    const off = this.scratchTop;
    this.scratchTop += Math.ceil(bytes / 8) * 8;
    this.scratchHigh = Math.max(this.scratchHigh, this.scratchTop);
    if (this.scratchTop > SCRATCH_MAX - this.SLOT) throw unsupported('this many string temporaries', this.probe.tok);
    return off;
  }

  /** `dst = lookup(map, &zero)`, leaving the handler if absent. */
  private lookupOne(map: MapSpec, dst: WReg): void {
    const a = this.a;
    a.ldMapFd(R1, map);
    a.mov64Reg(R2, this.fp);
    a.alu64Imm('add', R2, ZERO_KEY);
    a.call('map_lookup_elem');
    a.jmpImm('jeq', R0, 0, this.to(EXIT));
    a.mov64Reg(dst, R0);
  }

  /** reg = min(max(reg, lo), hi), signed (also tells the verifier the bounds). */
  private clampSigned(reg: WReg, lo: number, hi: number): void {
    const a = this.a;
    const notLow = this.fresh('clo');
    const notHigh = this.fresh('chi');
    a.jmpImm('jsge', reg, lo, notLow);
    a.mov64Imm(reg, lo);
    a.label(notLow);
    a.jmpImm('jsle', reg, hi, notHigh);
    a.mov64Imm(reg, hi);
    a.label(notHigh);
  }

  private zeroScratch(off: number, bytes: number): void {
    for (let i = 0; i < bytes; i += 8) this.a.stDW(R7, off + i, 0);
  }

  /** Copies `bytes` from [src+srcOff] to [dst+dstOff] (both 8-byte aligned) through R1. */
  private copy(dst: Reg, dstOff: number, src: Reg, srcOff: number, bytes: number): void {
    for (let i = 0; i < bytes; i += 8) {
      this.a.ldxDW(R1, src, srcOff + i);
      this.a.stxDW(dst, dstOff + i, R1);
    }
  }

  /** Like `copy`; a long block (a key with string fields) goes through one helper call. */
  private copyBytes(dst: Reg, dstOff: number, src: Reg, srcOff: number, bytes: number): void {
    if (bytes <= 64) {
      this.copy(dst, dstOff, src, srcOff, bytes);
      return;
    }
    const a = this.a;
    a.mov64Reg(R3, src);
    a.alu64Imm('add', R3, srcOff);
    a.mov64Reg(R1, dst);
    a.alu64Imm('add', R1, dstOff);
    a.mov64Imm(R2, bytes);
    a.call('probe_read_kernel');
  }

  /**
   * `bytes` of kernel memory at [src+srcOff] into the stack slot `slot` with probe_read_kernel
   * (safe for any address); `zeroed`: the slot is cleared first, so a failed or short read
   * leaves zeros.
   */
  private readKernel(src: Reg, srcOff: number, slot: number, bytes: number, zeroed = true): void {
    const a = this.a;
    if (zeroed) a.stDW(this.fp, slot, 0);
    a.mov64Reg(R3, src);
    if (srcOff) a.alu64Imm('add', R3, srcOff);
    a.mov64Reg(R1, this.fp);
    a.alu64Imm('add', R1, slot);
    a.mov64Imm(R2, bytes);
    a.call('probe_read_kernel');
  }

  /** A long (8 bytes) or a string (up to its NUL) from [src+srcOff] to [dst+dstOff]. */
  private copyValue(dst: Reg, dstOff: number, src: Reg, srcOff: number, isString: boolean): void {
    if (isString) this.ks.copy(dst, dstOff, src, srcOff);
    else this.copy(dst, dstOff, src, srcOff, 8);
  }

  // ---- statements -------------------------------------------------------------------

  /** Fresh storage for locals, empty: strings in scratch slots, longs in stack words. */
  private newLocals(vars: Var[]): void {
    for (const v of vars) {
      if (v.type === 'string') {
        const off = this.scratch(this.SLOT);
        this.stringLocals.set(v, off);
        this.ks.empty(R7, off);
      } else {
        const slot = this.stack(8);
        this.localSlots.set(v, slot);
        this.a.stDW(this.fp, slot, 0);
      }
    }
  }

  /**
   * A statement's temporaries (string slots, stack words, an inlined function's locals) are
   * dead once it is done: the next statement reuses them. Probe locals live in the prologue's
   * slots, below any statement's.
   */
  private stmt(s: A.Stmt): void {
    const scratchTop = this.scratchTop;
    const stackTop = this.stackTop;
    this.stmtCode(s);
    this.scratchTop = scratchTop;
    this.stackTop = stackTop;
  }

  private stmtCode(s: A.Stmt): void {
    const a = this.a;
    a.at(s.tok);
    switch (s.kind) {
      case 'block':
        for (const x of s.statements) {
          this.stmt(x);
          if (endsInJump(x)) return; // the rest is unreachable (the verifier rejects dead code)
        }
        return;
      case 'null_statement': return;
      case 'expr_statement': this.tick(1, s.tok); a.at(s.tok); this.effect(s.value); return;
      case 'if_statement': {
        const els = this.fresh('else');
        const end = this.fresh('endif');
        this.tick(1, s.tok);
        a.at(s.tok);
        this.long(s.cond);
        a.jmpImm('jeq', R0, 0, els);
        this.stmt(s.thenStmt);
        if (s.elseStmt && !endsInJump(s.thenStmt)) a.ja(end);
        a.label(els);
        if (s.elseStmt) this.stmt(s.elseStmt);
        a.label(end);
        return;
      }
      // `next` ends the probe; in a function, it hands the call to the next overload.
      case 'next_statement': {
        const f = this.inlined[this.inlined.length - 1];
        if (f) f.nextUsed = true;
        a.ja(this.to(f ? f.next : EXIT));
        return;
      }
      case 'delete_statement': this.tick(1, s.tok); a.at(s.tok); this.delete(s); return;
      case 'for_loop': this.forLoop(s); return;
      case 'foreach_loop': this.foreach(s); return;
      case 'try_block': {
        const catchLabel = this.fresh('catch');
        const end = this.fresh('tryend');
        const catchVar = s.catchVar ? this.varOf(s.catchVar) : null;
        this.labelDepth.set(catchLabel, this.depth);
        this.tries.push({ catchLabel, catchVar });
        this.stmt(s.tryBlock);
        this.tries.pop();
        if (!endsInJump(s.tryBlock)) a.ja(end);
        a.label(catchLabel);
        this.stmt(s.catchBlock);
        a.label(end);
        return;
      }
      case 'break_statement': a.ja(this.to(this.loops[this.loops.length - 1]!.brk)); return;
      case 'continue_statement': a.ja(this.to(this.loops[this.loops.length - 1]!.cont)); return;
      case 'return_statement': {
        const f = this.inlined[this.inlined.length - 1];
        if (!f) throw unsupported('return outside a function', s.tok);
        this.tick(1, s.tok);
        a.at(s.tok);
        if (s.value) {
          if (f.type === 'string') this.storeString(f.result, s.value);
          else {
            this.long(s.value);
            a.stxDW(this.fp, f.result, R0);
          }
        }
        a.ja(this.to(f.end));
        return;
      }
      default: throw unsupported(describeStmt(s), s.tok);
    }
  }

  /**
   * for/while: bounded by the handler's MAXACTION budget, which the verifier can follow (it
   * walks each iteration; an unbounded loop is rejected at load time).
   */
  private forLoop(s: A.ForLoop): void {
    const a = this.a;
    const top = this.fresh('loop');
    const cont = this.fresh('cont');
    const brk = this.fresh('brk');
    this.labelDepth.set(cont, this.depth);
    this.labelDepth.set(brk, this.depth);
    // The interpreter's accounting, action for action: one before the loop (two with an init
    // statement), one per iteration charged at the body's first statement.
    this.tick(s.init ? 2 : 1, s.tok);
    if (s.init) this.effect(s.init.value);
    a.label(top);
    this.long(s.cond);
    a.jmpImm('jeq', R0, 0, brk);
    this.loops.push({ brk, cont });
    this.stmt(s.body);
    this.loops.pop();
    a.label(cont);
    if (s.incr) this.effect(s.incr.value);
    this.tick(1, firstTok(s.body) ?? s.tok);
    a.ja(top);
    a.label(brk);
  }

  /**
   * Charges `n` actions against the handler's MAXACTION budget; only handlers with loops keep
   * one (a loop-free handler was checked up front, and hot-path counters pay nothing).
   */
  private tick(n: number, tok: Token): void {
    if (this.actionsSlot === 0) return;
    const a = this.a;
    a.at(tok);
    const [base, off]: [Reg, number] = this.depth > 0 ? [R7, this.callbackBudget] : [this.fp, this.actionsSlot];
    a.ldxDW(R1, base, off);
    a.alu64Imm('sub', R1, n);
    a.stxDW(base, off, R1);
    const ok = this.fresh('budget');
    a.jmpImm('jsge', R1, 0, ok);
    this.runtimeError('MAXACTION exceeded', tok);
    a.label(ok);
  }

  /** A script function, inlined (kernel handlers cannot recurse; stap forbids it there too). */
  private inlineCall(e: A.FunctionCall, fn: Func): number | null {
    const a = this.a;
    for (const o of fn.overloads) {
      if (o.decl!.body.kind !== 'block') throw unsupported(`embedded-C function ${o.name}()`, e.tok);
      if (this.inlined.some((x) => x.fn === o)) throw unsupported(`recursive function ${o.name}()`, e.tok);
    }
    const type: Val = fn.type === 'string' ? 'string' : 'long';
    const result = type === 'string' ? this.scratch(this.SLOT) : this.stack(8);
    if (type === 'string') this.ks.empty(R7, result);
    else a.stDW(this.fp, result, 0);
    // Arguments first (in the caller's scope), then parameters and locals get fresh storage.
    const argVals = e.args.map((x, i) => {
      const p = fn.params[i]!;
      if (p.type === 'string') return { kind: 'string' as const, off: this.str(x) };
      this.long(x);
      const slot = this.stack(8);
      a.stxDW(this.fp, slot, R0);
      return { kind: 'long' as const, slot };
    });
    const end = this.fresh('fnend');
    this.labelDepth.set(end, this.depth);
    // Overloads in order (stap's): `next` in one goes on with the next with the same arguments;
    // past the last, as the interpreter, "all functions exhausted". One that never says `next`
    // is the last one reached.
    for (const o of fn.overloads) {
      o.params.forEach((p, i) => {
        const v = argVals[i]!;
        if (v.kind === 'string') {
          const off = this.scratch(this.SLOT);
          this.ks.copy(R7, off, R7, v.off);
          this.stringLocals.set(p, off);
        } else if (fn.overloads.length === 1) {
          this.localSlots.set(p, v.slot);
        } else {
          // Each overload gets the arguments as passed, whatever an earlier one did to its copy.
          const slot = this.stack(8);
          this.copy(this.fp, slot, this.fp, v.slot, 8);
          this.localSlots.set(p, slot);
        }
      });
      this.newLocals(o.locals);
      const entry = { fn: o, result, end, type, next: this.fresh('fnnext'), nextUsed: false };
      this.labelDepth.set(entry.next, this.depth);
      this.inlined.push(entry);
      this.stmt(o.decl!.body);
      this.inlined.pop();
      if (!entry.nextUsed) break;
      a.ja(end);
      a.label(entry.next);
      if (o === fn.overloads[fn.overloads.length - 1]) this.runtimeError('all functions exhausted', e.tok);
    }
    a.label(end);
    if (type === 'string') return result;
    a.ldxDW(R0, this.fp, result);
    return null;
  }

  private delete(s: A.DeleteStatement): void {
    const v = s.value;
    if (v.kind === 'arrayindex' && v.base.kind === 'symbol' && v.indexes.every((i) => i !== null)) {
      const loc = this.globalLoc(v.base);
      if (loc.kind !== 'array') throw unsupported('delete of this value', s.tok);
      const key = this.key(loc, v.indexes as A.Expr[]);
      this.a.ldMapFd(R1, loc.map);
      this.a.mov64Reg(R2, R7);
      this.a.alu64Imm('add', R2, key);
      this.a.call('map_delete_elem');
      return;
    }
    if (v.kind === 'symbol' && this.varOf(v).scope === 'global') {
      const loc = this.globalLoc(v);
      if (loc.kind === 'scalar') {
        // A scalar goes back to 0 or "".
        this.a.stDW(R9, loc.offset, 0);
        return;
      }
      if (loc.kind === 'stats') {
        this.clearStats(loc);
        return;
      }
      if (loc.kind === 'array') {
        this.clearArray(loc);
        return;
      }
    }
    if (v.kind === 'symbol' && this.varOf(v).scope !== 'global') {
      const local = this.varOf(v);
      if (local.type === 'string') this.ks.empty(R7, this.stringLocals.get(local)!);
      else this.a.stDW(this.fp, this.localSlots.get(local)!, 0);
      return;
    }
    throw unsupported('deleting whole arrays in a kernel probe', s.tok);
  }

  /** An expression evaluated for its effect. */
  private effect(e: A.Expr): void {
    if (e.kind === 'print_format' || e.kind === 'functioncall' || e.kind === 'assignment' ||
        e.kind === 'pre_crement' || e.kind === 'post_crement') {
      this.value(e);
      return;
    }
    this.value(e);
  }

  // ---- expressions ------------------------------------------------------------------

  private typeOf(e: A.Expr): Val {
    let t = this.prog.bindings.types.get(e);
    // Assignment targets are typed through their variable.
    if (e.kind === 'symbol') t = this.prog.bindings.vars.get(e)?.type ?? t;
    if (e.kind === 'arrayindex' && e.base.kind === 'symbol') t = this.prog.bindings.vars.get(e.base)?.type ?? t;
    return t === 'string' ? 'string' : 'long';
  }

  /** Evaluates `e`: longs into R0, strings into a scratch slot (returned). */
  private value(e: A.Expr): number | null {
    // A sprintf whose result is dropped (an elided assignment's right side) is still a string.
    if (this.typeOf(e) === 'string' && (e.kind !== 'print_format' || !e.stream)) return this.str(e);
    this.long(e);
    return null;
  }

  private globalLoc(sym: A.SymbolExpr): GlobalLoc {
    const v = this.prog.bindings.vars.get(sym)!;
    const loc = this.layout.globals.get(v);
    if (!loc) throw new Error(`internal error: global ${v.name} has no kernel storage`);
    // `%` arrays evict their oldest entry when full, which the kernel maps do not do yet.
    if (loc.kind === 'array' && v.wrap) throw unsupported(`array ${v.name}, which wraps (%), in kernel context`, sym.tok);
    return loc;
  }

  private varOf(sym: A.SymbolExpr): Var {
    return this.prog.bindings.vars.get(sym)!;
  }

  long(e: A.Expr): void {
    const a = this.a;
    a.at(e.tok);
    switch (e.kind) {
      case 'literal_number': a.ldImm64(R0, e.value); return;
      case 'symbol': {
        const v = this.varOf(e);
        if (v.scope !== 'global') {
          a.ldxDW(R0, this.fp, this.localSlots.get(v)!);
          return;
        }
        const loc = this.globalLoc(e);
        if (loc.kind !== 'scalar') throw unsupported(`reading ${v.name} as a value`, e.tok);
        a.ldxDW(R0, R9, loc.offset);
        return;
      }
      case 'arrayindex': this.readElement(e); return;
      case 'assignment': this.assignment(e); return;
      case 'binary': this.binary(e); return;
      case 'unary': {
        this.long(e.operand);
        if (e.op === '-') a.neg64(R0);
        else if (e.op === '~') a.alu64Imm('xor', R0, -1);
        else if (e.op === '!') this.boolOf('jeq', 0);
        return;
      }
      case 'comparison': this.comparison(e); return;
      case 'logical': {
        const done = this.fresh('logic');
        this.long(e.left);
        this.boolOf('jne', 0);
        a.jmpImm(e.op === '&&' ? 'jeq' : 'jne', R0, 0, done);
        this.long(e.right);
        this.boolOf('jne', 0);
        a.label(done);
        return;
      }
      case 'ternary': {
        // @defined(...) ? a : b (@choose_defined): only the branch that exists is compiled.
        if (e.cond.kind === 'defined_op') {
          this.long(this.defined(e.cond.operand) ? e.truevalue : e.falsevalue);
          return;
        }
        const els = this.fresh('tern');
        const end = this.fresh('ternend');
        this.long(e.cond);
        a.jmpImm('jeq', R0, 0, els);
        this.long(e.truevalue);
        a.ja(end);
        a.label(els);
        this.long(e.falsevalue);
        a.label(end);
        return;
      }
      case 'pre_crement': case 'post_crement': this.crement(e); return;
      case 'array_in': this.arrayIn(e); return;
      case 'functioncall': this.call(e); return;
      case 'print_format': this.print(e); return;
      case 'target_symbol': this.targetVar(e); return;
      case 'cast_op': this.castOp(e); return;
      case 'defined_op': a.mov64Imm(R0, this.defined(e.operand) ? 1 : 0); return;
      case 'stat_op': this.statRead(e); return;
      default: throw unsupported(describeExpr(e), e.tok);
    }
  }

  /** R0 = (R0 op imm) ? 1 : 0 */
  private boolOf(op: 'jeq' | 'jne' | 'jsge', imm: number): void {
    const t = this.fresh('bool');
    const a = this.a;
    a.mov64Reg(R1, R0);
    a.mov64Imm(R0, 1);
    a.jmpImm(op, R1, imm, t);
    a.mov64Imm(R0, 0);
    a.label(t);
  }

  /** Evaluates a, spills it, evaluates b; leaves a in R0 and b in R1. */
  private pair(x: A.Expr, y: A.Expr): void {
    const slot = this.stack(8);
    this.long(x);
    this.a.stxDW(this.fp, slot, R0);
    this.long(y);
    this.a.mov64Reg(R1, R0);
    this.a.ldxDW(R0, this.fp, slot);
    this.stackTop -= 8;
  }

  private binary(e: A.BinaryExpr): void {
    const a = this.a;
    this.pair(e.left, e.right);
    a.at(e.tok);
    switch (e.op) {
      case '+': a.alu64Reg('add', R0, R1); return;
      case '-': a.alu64Reg('sub', R0, R1); return;
      case '*': a.alu64Reg('mul', R0, R1); return;
      case '&': a.alu64Reg('and', R0, R1); return;
      case '|': a.alu64Reg('or', R0, R1); return;
      case '^': a.alu64Reg('xor', R0, R1); return;
      case '<<': a.alu64Imm('and', R1, 63); a.alu64Reg('lsh', R0, R1); return;
      case '>>': a.alu64Imm('and', R1, 63); a.alu64Reg('arsh', R0, R1); return;
      case '>>>': a.alu64Imm('and', R1, 63); a.alu64Reg('rsh', R0, R1); return;
      case '/': case '%': {
        const ok = this.fresh('div');
        a.jmpImm('jne', R1, 0, ok);
        this.runtimeError('division by 0', e.tok);
        a.label(ok);
        // Signed division (cpu v4 sdiv/smod; Linux >= 6.6).
        a.alu64Reg(e.op === '/' ? 'sdiv' : 'smod', R0, R1);
        return;
      }
    }
    throw unsupported(`operator ${e.op}`, e.tok);
  }

  /**
   * Strings compare as stap's strcmp: the operands are word-padded slots (kstrings.ts), so
   * comparing them as big-endian 64-bit words, first difference wins, is bytewise comparison.
   */
  private stringComparison(e: A.ComparisonExpr): void {
    const a = this.a;
    const equal = this.fresh('seq');
    const done = this.fresh('sdone');
    // Against a literal (`execname() == "bash"`), only the literal's words are compared, with
    // immediates; a literal on the left swaps sides (it has no effects to order).
    const literal = (x: A.Expr): string | null => (x.kind === 'literal_string' && !this.inScratch.has(x) ? unescapeLiteral(x.value) : null);
    const rightLit = literal(e.right);
    const leftLit = rightLit === null ? literal(e.left) : null;
    const swapped = leftLit !== null;
    if (rightLit !== null || leftLit !== null) {
      this.ks.differenceFromLiteral(R7, this.str(swapped ? e.right : e.left), (rightLit ?? leftLit)!, equal);
    } else {
      const l = this.str(e.left);
      const r = this.str(e.right);
      this.ks.difference(R7, l, R7, r, equal);
    }
    // R1 vs R2 unsigned decides <, >; equal strings take the other branch.
    const cmp: Record<string, 'jlt' | 'jle' | 'jgt' | 'jge' | 'jne' | 'jeq'> = swapped
      ? { '<': 'jgt', '<=': 'jge', '>': 'jlt', '>=': 'jle', '!=': 'jne', '==': 'jeq' }
      : { '<': 'jlt', '<=': 'jle', '>': 'jgt', '>=': 'jge', '!=': 'jne', '==': 'jeq' };
    const t = this.fresh('strue');
    a.jmpReg(cmp[e.op]!, R1, R2, t);
    a.mov64Imm(R0, 0);
    a.ja(done);
    a.label(t);
    a.mov64Imm(R0, 1);
    a.ja(done);
    a.label(equal);
    a.mov64Imm(R0, e.op === '==' || e.op === '<=' || e.op === '>=' ? 1 : 0);
    a.label(done);
  }

  private comparison(e: A.ComparisonExpr): void {
    if (this.typeOf(e.left) === 'string') {
      this.stringComparison(e);
      return;
    }
    const ops: Record<string, 'jeq' | 'jne' | 'jslt' | 'jsle' | 'jsgt' | 'jsge'> = {
      '==': 'jeq', '!=': 'jne', '<': 'jslt', '<=': 'jsle', '>': 'jsgt', '>=': 'jsge',
    };
    this.pair(e.left, e.right);
    const t = this.fresh('cmp');
    const a = this.a;
    a.mov64Reg(R2, R0);
    a.mov64Imm(R0, 1);
    a.jmpReg(ops[e.op]!, R2, R1, t);
    a.mov64Imm(R0, 0);
    a.label(t);
  }

  // ---- variables and arrays ---------------------------------------------------------

  /**
   * `s = x`, `s .= x` on a string variable or array element; returns the scratch offset of the
   * value stored. An element's index expressions are evaluated once, before the value (as the
   * interpreter does).
   */
  private stringAssignment(e: A.AssignmentExpr): number {
    const target = e.left;
    if (e.op !== '=' && e.op !== '.=') throw unsupported(`${e.op} on strings`, e.tok);
    if (target.kind === 'arrayindex') {
      const loc = this.arrayOf(target);
      const key = this.key(loc, target.indexes as A.Expr[]);
      const src = e.op === '.=' ? this.concatOffsets(this.elementString(loc, key), this.str(e.right)) : this.str(e.right);
      const fresh = this.scratch(this.SLOT + 8);
      this.ks.store(R7, fresh, R7, src);
      this.storeElement(loc, key, { base: R7, off: fresh }, () => this.ks.store(R0, 0, R7, src), target.base.tok);
      return src;
    }
    if (target.kind === 'symbol' && this.varOf(target).scope !== 'global') {
      const slot = this.stringLocals.get(this.varOf(target))!;
      if (e.op === '.=') return this.appendToLocal(slot, e.right);
      this.storeString(slot, e.right);
      return slot;
    }
    const src = e.op === '.=' ? this.concat({ kind: 'concat', tok: e.tok, op: '.', left: target, right: e.right }) : this.str(e.right);
    if (target.kind === 'symbol') {
      const loc = this.globalLoc(target);
      if (loc.kind !== 'scalar') throw unsupported('this assignment', e.tok);
      this.ks.store(R9, loc.offset, R7, src);
      return src;
    }
    throw unsupported('this assignment', e.tok);
  }

  /** The string element at packed key `key` into a fresh slot; a missing element reads as "". */
  private elementString(loc: Extract<GlobalLoc, { kind: 'array' }>, key: number): number {
    const a = this.a;
    const out = this.scratch(this.SLOT);
    this.ks.empty(R7, out);
    this.lookupKey(loc.map, key);
    const miss = this.fresh('smiss');
    a.jmpImm('jeq', R0, 0, miss);
    this.ks.copy(R7, out, R0, 0);
    a.label(miss);
    return out;
  }

  private assignment(e: A.AssignmentExpr): void {
    const a = this.a;
    if (e.op === '<<<') {
      this.statAdd(e);
      return;
    }
    const target = e.left;
    if (this.typeOf(target) === 'string') {
      this.stringAssignment(e);
      return;
    }
    const op = e.op === '=' ? null : e.op.slice(0, -1);
    if (target.kind === 'symbol') {
      const v = this.varOf(target);
      if (v.scope !== 'global') {
        const slot = this.localSlots.get(v)!;
        if (op) {
          this.binary({ kind: 'binary', tok: e.right.tok, op, left: target, right: e.right });
        } else {
          this.long(e.right);
        }
        a.stxDW(this.fp, slot, R0);
        return;
      }
      const loc = this.globalLoc(target);
      if (loc.kind !== 'scalar') throw unsupported('this assignment', e.tok);
      if (op === '+' || op === '-') {
        this.long(e.right);
        if (op === '-') a.neg64(R0);
        a.mov64Reg(R1, R0);
        a.atomic('fetch_add', 'dw', R9, loc.offset, R1);
        a.alu64Reg('add', R0, R1); // new value = delta + old
        return;
      }
      if (op) this.binary({ kind: 'binary', tok: e.right.tok, op, left: target, right: e.right });
      else this.long(e.right);
      a.stxDW(R9, loc.offset, R0);
      return;
    }
    if (target.kind === 'arrayindex' && target.base.kind === 'symbol') {
      this.updateElement(target, op, e.right, e.tok, false);
      return;
    }
    throw unsupported('this assignment', e.tok);
  }

  private crement(e: A.PreCrement | A.PostCrement): void {
    const delta: A.LiteralNumber = { kind: 'literal_number', tok: e.tok, value: e.op === '++' ? 1n : -1n };
    const t = e.operand;
    if (t.kind === 'arrayindex' && t.base.kind === 'symbol') {
      this.updateElement(t, '+', delta, e.tok, e.kind === 'post_crement');
      return;
    }
    this.assignment({ kind: 'assignment', tok: e.tok, op: '+=', left: t, right: delta });
    if (e.kind === 'post_crement') this.a.alu64Imm('sub', R0, Number(delta.value));
  }

  /** Builds the key of `loc` from `indexes` in a scratch slot; returns its offset. */
  private key(loc: Extract<GlobalLoc, { kind: 'array' }>, indexes: A.Expr[]): number {
    const offsets = KernelLayout.keyOffsets(loc.keyFields);
    const size = loc.map.keySize;
    const off = this.scratch(size);
    indexes.forEach((ix, i) => {
      const at = off + offsets[i]!;
      if (loc.keyFields[i]!.type === 'long') {
        this.long(ix);
        this.a.stxDW(R7, at, R0);
      } else {
        // The kernel hashes and compares keys whole: the field is cleared, then the string.
        const s = this.str(ix);
        this.ks.zero(R7, at, this.SLOT);
        this.ks.store(R7, at, R7, s);
      }
    });
    return off;
  }

  private lookupKey(map: MapSpec, keyOff: number): void {
    const a = this.a;
    a.ldMapFd(R1, map);
    a.mov64Reg(R2, R7);
    a.alu64Imm('add', R2, keyOff);
    a.call('map_lookup_elem');
  }

  private arrayOf(e: A.ArrayIndex): Extract<GlobalLoc, { kind: 'array' }> {
    if (e.base.kind !== 'symbol') throw unsupported('histogram buckets in a kernel probe', e.tok);
    const loc = this.globalLoc(e.base);
    if (loc.kind !== 'array') throw new Error('internal error: not an array');
    return loc;
  }

  private readElement(e: A.ArrayIndex): void {
    if (e.base.kind === 'hist_op') {
      this.histRead(e.base, e.indexes[0]!, false);
      return;
    }
    const loc = this.arrayOf(e);
    if (loc.value !== 'long') throw unsupported('reading this array in a kernel probe', e.tok);
    const key = this.key(loc, e.indexes as A.Expr[]);
    this.lookupKey(loc.map, key);
    const miss = this.fresh('miss');
    const a = this.a;
    a.jmpImm('jeq', R0, 0, miss);
    a.ldxDW(R0, R0, 0);
    a.label(miss);
  }

  private arrayIn(e: A.ArrayIn): void {
    if (e.operand.base.kind === 'hist_op') {
      this.histRead(e.operand.base, e.operand.indexes[0]!, true);
      return;
    }
    const loc = this.arrayOf(e.operand);
    if (e.operand.indexes.some((i) => i === null)) throw unsupported('wildcard `in`', e.tok);
    const key = this.key(loc, e.operand.indexes as A.Expr[]);
    this.lookupKey(loc.map, key);
    this.boolOf('jne', 0);
  }

  /**
   * `a[k] = v`, `a[k] op= v`, `a[k]++`: += and -= are atomic (fetch_add) on an existing entry;
   * a new entry is inserted with BPF_NOEXIST, retrying the atomic path if another CPU won.
   */
  private updateElement(t: A.ArrayIndex, op: string | null, rhs: A.Expr, tok: Token, post: boolean): void {
    const a = this.a;
    const loc = this.arrayOf(t);
    if (loc.value !== 'long') throw unsupported('this array update in a kernel probe', tok);
    const valSlot = this.stack(16); // the value, then its insertion number when it is new
    this.long(rhs);
    if (op === '-') a.neg64(R0);
    a.stxDW(this.fp, valSlot, R0);
    const key = this.key(loc, t.indexes as A.Expr[]);
    const done = this.fresh('upd');
    const insert = this.fresh('ins');
    if (op === '+' || op === '-') {
      // The verifier rejects retry loops, so the "another CPU inserted it first" path repeats
      // the lookup once, straight-line.
      const add = () => {
        a.ldxDW(R1, this.fp, valSlot);
        a.mov64Reg(R2, R1);
        a.atomic('fetch_add', 'dw', R0, 0, R1);
        // R1 = old value; the expression's value is new (or old for post-increment).
        a.mov64Reg(R0, R1);
        if (!post) a.alu64Reg('add', R0, R2);
        a.ja(done);
      };
      this.lookupKey(loc.map, key);
      a.jmpImm('jeq', R0, 0, insert);
      add();
      a.label(insert);
      const raced = this.fresh('raced');
      this.nextSeq();
      a.stxDW(this.fp, valSlot + 8, R0);
      this.updateMap(loc, key, { base: this.fp, off: valSlot }, 1, t.base.tok, raced);
      a.mov64Imm(R0, 0);
      if (!post) a.ldxDW(R0, this.fp, valSlot);
      a.ja(done);
      a.label(raced);
      this.lookupKey(loc.map, key);
      a.jmpImm('jeq', R0, 0, this.to(EXIT));
      add();
      a.label(done);
    } else {
      if (op) {
        // Non-additive compound updates: read, combine, write back (not atomic, as in stap
        // without locking).
        this.lookupKey(loc.map, key);
        const miss = this.fresh('miss');
        a.mov64Imm(R1, 0);
        a.jmpImm('jeq', R0, 0, miss);
        a.ldxDW(R1, R0, 0);
        a.label(miss);
        const slot2 = valSlot;
        a.ldxDW(R2, this.fp, slot2);
        a.mov64Reg(R0, R1);
        a.mov64Reg(R1, R2);
        switch (op) {
          case '*': a.alu64Reg('mul', R0, R1); break;
          case '&': a.alu64Reg('and', R0, R1); break;
          case '|': a.alu64Reg('or', R0, R1); break;
          case '^': a.alu64Reg('xor', R0, R1); break;
          case '<<': a.alu64Imm('and', R1, 63); a.alu64Reg('lsh', R0, R1); break;
          case '>>': a.alu64Imm('and', R1, 63); a.alu64Reg('arsh', R0, R1); break;
          default: throw unsupported(`${op}= on array elements in a kernel probe`, tok);
        }
        a.stxDW(this.fp, valSlot, R0);
      }
      this.storeElement(loc, key, { base: this.fp, off: valSlot }, () => {
        a.ldxDW(R1, this.fp, valSlot);
        a.stxDW(R0, 0, R1);
      }, t.base.tok);
      a.ldxDW(R0, this.fp, valSlot);
    }
    this.stackTop -= 16;
  }

  /** R0 = a fresh insertion number (layout.ts); clobbers R1. */
  private nextSeq(): void {
    const a = this.a;
    a.ldMapValue(R1, this.layout.seq, 0);
    a.mov64Imm(R0, 1);
    a.atomic('fetch_add', 'dw', R1, 0, R0);
    a.alu64Imm('add', R0, 1);
  }

  /**
   * Stores an element's value: an existing entry is written in place (`inPlace`, with R0 its
   * value) and keeps its insertion number; a new one is inserted from `fresh` (the whole value;
   * its insertion number is filled in here) with BPF_NOEXIST, and if another CPU inserted the
   * key first, written in place after all.
   */
  private storeElement(loc: Extract<GlobalLoc, { kind: 'array' }>, keyOff: number, fresh: { base: Reg; off: number },
    inPlace: () => void, tok: Token): void {
    const a = this.a;
    const insert = this.fresh('ins');
    const raced = this.fresh('raced');
    const done = this.fresh('stored');
    this.lookupKey(loc.map, keyOff);
    a.jmpImm('jeq', R0, 0, insert);
    inPlace();
    a.ja(done);
    a.label(insert);
    this.nextSeq();
    a.stxDW(fresh.base, fresh.off + loc.seqOffset, R0);
    this.updateMap(loc, keyOff, fresh, 1, tok, raced);
    a.ja(done);
    a.label(raced);
    this.lookupKey(loc.map, keyOff);
    a.jmpImm('jeq', R0, 0, done); // deleted again meanwhile: as if overwritten
    inPlace();
    a.label(done);
  }

  /** map_update_elem(map, key, &value, flags); E2BIG is stap's array overflow error. */
  private updateMap(loc: Extract<GlobalLoc, { kind: 'array' }>, keyOff: number, value: { base: Reg; off: number },
    flags: number, tok: Token, onExists: string | null): void {
    const a = this.a;
    const map = loc.map;
    a.ldMapFd(R1, map);
    a.mov64Reg(R2, R7);
    a.alu64Imm('add', R2, keyOff);
    a.mov64Reg(R3, value.base);
    a.alu64Imm('add', R3, value.off);
    a.mov64Imm(R4, flags);
    a.call('map_update_elem');
    const ok = this.fresh('updok');
    a.jmpImm('jeq', R0, 0, ok);
    if (onExists) a.jmpImm('jeq', R0, -17, onExists); // EEXIST: another CPU inserted it first
    this.runtimeError(arrayOverflowMessage(loc.var), tok);
    a.label(ok);
  }

  // ---- statistics ---------------------------------------------------------------------

  /**
   * The head of a loop over possible CPUs: R0 = the copy of the element at `keyOff` (-1: the
   * one-entry map's key 0) of the CPU counted in a stack slot, or on to `done` past the last
   * CPU or a missing element. Returns the tail (next CPU, back to the head); the caller frees
   * the slot (8 bytes) once past `done`. The counter lives in the frame, not a register, so
   * the loop also works inside callbacks, where every callee-saved register is taken.
   */
  private percpuLoopHead(map: MapSpec, keyOff: number, top: string, done: string): () => void {
    const a = this.a;
    const cpu = this.stack(8);
    a.stDW(this.fp, cpu, 0);
    a.label(top);
    a.ldxDW(R3, this.fp, cpu);
    a.jmpImm('jge', R3, this.layout.possibleCpus, done);
    a.ldMapFd(R1, map);
    if (keyOff < 0) {
      a.mov64Reg(R2, this.fp);
      a.alu64Imm('add', R2, ZERO_KEY);
    } else {
      a.mov64Reg(R2, R7);
      a.alu64Imm('add', R2, keyOff);
    }
    a.call('map_lookup_percpu_elem');
    a.jmpImm('jeq', R0, 0, done);
    return () => {
      a.ldxDW(R1, this.fp, cpu);
      a.alu64Imm('add', R1, 1);
      a.stxDW(this.fp, cpu, R1);
      a.ja(top);
    };
  }

  /**
   * `delete a` of a whole array (statistics arrays included): bpf_for_each_map_elem (5.13+)
   * with a callback deleting the entry it visits, which hash and per-CPU hash maps allow (the
   * element's link to the next one survives its deletion).
   */
  private clearArray(loc: Extract<GlobalLoc, { kind: 'array' }>): void {
    const a = this.a;
    let name = this.clearCallbacks.get(loc.map);
    if (!name) {
      // callback(map, key, value, ctx): the map pointer and the key go straight to the helper.
      name = this.fresh('clrcb');
      const cb = new Assembler<MapSpec, Token>();
      cb.at(a.currentSpan);
      cb.func(name);
      cb.call('map_delete_elem');
      cb.mov64Imm(R0, 0);
      cb.exit();
      this.subprogs.push(cb);
      this.clearCallbacks.set(loc.map, name);
    }
    a.ldMapFd(R1, loc.map);
    a.ldFunc(R2, name);
    a.mov64Imm(R3, 0);
    a.mov64Imm(R4, 0);
    a.call('for_each_map_elem');
  }

  /** `delete s` of a scalar statistic: every possible CPU's accumulator is zeroed. */
  private clearStats(loc: Extract<GlobalLoc, { kind: 'stats' }>): void {
    const a = this.a;
    const top = this.fresh('clr');
    const done = this.fresh('clrdone');
    const nextCpu = this.percpuLoopHead(loc.map, -1, top, done);
    for (let i = 0; i < loc.stats.size; i += 8) a.stDW(R0, i, 0);
    nextCpu();
    a.label(done);
    this.stackTop -= 8;
  }

  /**
   * @count/@sum/@min/@max/@avg read in a kernel handler: every possible CPU's accumulator is
   * fetched with map_lookup_percpu_elem (Linux 5.19+) and merged as the interpreter merges
   * them. @min/@max/@avg of an empty statistic are stap's "empty aggregate" error.
   */
  /** A statistic being read: its map and, for an array entry, the key built in scratch (else -1). */
  private statLoc(t: A.Expr, what: string, tok: Token): { loc: Exclude<GlobalLoc, { kind: 'scalar' }> & { stats: NonNullable<unknown> }; keyOff: number } {
    let loc: GlobalLoc;
    let keyOff = -1;
    if (t.kind === 'symbol') loc = this.globalLoc(t);
    else if (t.kind === 'arrayindex' && t.base.kind === 'symbol' && t.indexes.every((i) => i !== null)) {
      loc = this.globalLoc(t.base);
      if (loc.kind !== 'array') throw new Error('internal error');
      keyOff = this.key(loc, t.indexes as A.Expr[]);
    } else throw unsupported(what, tok);
    if (loc.kind === 'scalar' || !loc.stats) throw new Error('internal error: not a statistic');
    return { loc: loc as Exclude<GlobalLoc, { kind: 'scalar' }> & { stats: NonNullable<unknown> }, keyOff };
  }

  private statRead(e: A.StatOp): void {
    const a = this.a;
    const { loc, keyOff } = this.statLoc(e.stat, `@${e.ctype} of this statistic`, e.tok);
    if (e.ctype === 'variance') {
      this.statVariance(e, loc.map, keyOff, loc.var.varianceShift ?? 0);
      return;
    }
    const [cnt, sum, min, max] = [this.stack(8), this.stack(8), this.stack(8), this.stack(8)];
    for (const slot of [cnt, sum, min, max]) a.stDW(this.fp, slot, 0);
    const top = this.fresh('cpu');
    const next = this.fresh('cpunext');
    const done = this.fresh('cpudone');
    const merge = this.fresh('cpumerge');
    const nextCpu = this.percpuLoopHead(loc.map, keyOff, top, done); // no such element: an empty statistic
    a.ldxDW(R1, R0, STAT_COUNT);
    a.jmpImm('jeq', R1, 0, next);
    a.ldxDW(R2, this.fp, cnt);
    a.jmpImm('jne', R2, 0, merge);
    // The first CPU with values sets min and max.
    a.ldxDW(R3, R0, STAT_MIN);
    a.stxDW(this.fp, min, R3);
    a.ldxDW(R3, R0, STAT_MAX);
    a.stxDW(this.fp, max, R3);
    a.label(merge);
    a.alu64Reg('add', R2, R1);
    a.stxDW(this.fp, cnt, R2);
    a.ldxDW(R2, this.fp, sum);
    a.ldxDW(R3, R0, STAT_SUM);
    a.alu64Reg('add', R2, R3);
    a.stxDW(this.fp, sum, R2);
    // Keep the smaller min and the larger max (R0 = this CPU's accumulator).
    for (const [slot, field, keep] of [[min, STAT_MIN, 'jsge'], [max, STAT_MAX, 'jsle']] as const) {
      const ok = this.fresh('extreme');
      a.ldxDW(R2, this.fp, slot);
      a.ldxDW(R3, R0, field);
      a.jmpReg(keep, R3, R2, ok);
      a.stxDW(this.fp, slot, R3);
      a.label(ok);
    }
    a.label(next);
    nextCpu();
    a.label(done);
    a.at(e.tok);
    if (e.ctype === 'count' || e.ctype === 'sum') {
      a.ldxDW(R0, this.fp, e.ctype === 'count' ? cnt : sum);
    } else {
      const ok = this.fresh('nonempty');
      a.ldxDW(R1, this.fp, cnt);
      a.jmpImm('jne', R1, 0, ok);
      this.runtimeError(EMPTY_AGGREGATE, e.tok);
      a.label(ok);
      if (e.ctype === 'avg') {
        a.ldxDW(R0, this.fp, sum);
        a.alu64Reg('sdiv', R0, R1);
      } else a.ldxDW(R0, this.fp, e.ctype === 'min' ? min : max);
    }
    this.stackTop -= 40;
  }

  /**
   * @variance read in a kernel handler, with the interpreter's (stap's) arithmetic: a global
   * statistic combines every CPU's running variance with the total-variance formula around
   * the mean of all values (aggregateGlobal, two passes); an array entry folds the CPUs that
   * hold values into the first one pairwise, in CPU order (aggregateArrayEntry). R0 = result.
   */
  private statVariance(e: A.StatOp, map: MapSpec, keyOff: number, shift: number): void {
    const a = this.a;
    const [cnt, sum, avg, acc, old] = [this.stack(8), this.stack(8), this.stack(8), this.stack(8), this.stack(8)];
    for (const slot of [cnt, sum, avg, acc]) a.stDW(this.fp, slot, 0);
    /** R1 = R1 * R2 * R2, R2 kept. */
    const squareTimes = () => {
      a.alu64Reg('mul', R1, R2);
      a.alu64Reg('mul', R1, R2);
    };
    /** R3 += (count - 1) * variance_s of the accumulator at R0; clobbers R1, R2. */
    const addSpread = () => {
      a.ldxDW(R1, R0, STAT_COUNT);
      a.alu64Imm('sub', R1, 1);
      a.ldxDW(R2, R0, STAT_VARS);
      a.alu64Reg('mul', R1, R2);
      a.alu64Reg('add', R3, R1);
    };
    /** The mean of all values so far, scaled: sum << shift / count, into `avg`. */
    const mean = () => {
      a.ldxDW(R1, this.fp, sum);
      if (shift) a.alu64Imm('lsh', R1, shift);
      a.ldxDW(R2, this.fp, cnt);
      a.alu64Reg('sdiv', R1, R2);
      a.stxDW(this.fp, avg, R1);
    };
    /** count and sum += this CPU's (R0). */
    const addCountSum = () => {
      for (const [slot, field] of [[cnt, STAT_COUNT], [sum, STAT_SUM]] as const) {
        a.ldxDW(R2, this.fp, slot);
        a.ldxDW(R3, R0, field);
        a.alu64Reg('add', R2, R3);
        a.stxDW(this.fp, slot, R2);
      }
    };
    /** No values on any CPU: stap's "empty aggregate". */
    const nonEmpty = () => {
      const some = this.fresh('vsome');
      a.ldxDW(R1, this.fp, cnt);
      a.jmpImm('jne', R1, 0, some);
      a.at(e.tok);
      this.runtimeError(EMPTY_AGGREGATE, e.tok);
      a.label(some);
    };
    const pass = (body: () => void) => {
      const top = this.fresh('vcpu');
      const next = this.fresh('vnext');
      const done = this.fresh('vdone');
      const nextCpu = this.percpuLoopHead(map, keyOff, top, done);
      a.ldxDW(R1, R0, STAT_COUNT);
      a.jmpImm('jeq', R1, 0, next);
      body();
      a.label(next);
      nextCpu();
      a.label(done);
      this.stackTop -= 8;
    };
    if (keyOff < 0) {
      pass(addCountSum);
      nonEmpty();
      mean();
      pass(() => {
        // acc += count * d * d + (count - 1) * variance_s, d = this CPU's mean - the mean.
        a.ldxDW(R3, this.fp, acc);
        a.ldxDW(R2, R0, STAT_AVGS);
        a.ldxDW(R1, this.fp, avg);
        a.alu64Reg('sub', R2, R1);
        a.ldxDW(R1, R0, STAT_COUNT);
        squareTimes();
        a.alu64Reg('add', R3, R1);
        addSpread();
        a.stxDW(this.fp, acc, R3);
      });
      a.ldxDW(R0, this.fp, acc);
    } else {
      pass(() => {
        const merge = this.fresh('vmerge');
        const end = this.fresh('vend');
        a.ldxDW(R2, this.fp, cnt);
        a.jmpImm('jne', R2, 0, merge);
        // The first CPU with values: copied.
        for (const [slot, field] of [[cnt, STAT_COUNT], [sum, STAT_SUM], [avg, STAT_AVGS], [acc, STAT_VARS]] as const) {
          a.ldxDW(R3, R0, field);
          a.stxDW(this.fp, slot, R3);
        }
        a.ja(end);
        a.label(merge);
        // acc = (n1 d1² + (n1 - 1) v1 + n2 d2² + (n2 - 1) v2) / (n1 + n2 - 1) around the new mean.
        a.stxDW(this.fp, old, R2);
        addCountSum();
        a.ldxDW(R4, this.fp, avg); // the old mean
        a.mov64Reg(R5, R0);
        mean();
        a.mov64Reg(R0, R5);
        a.ldxDW(R3, this.fp, old);
        a.alu64Imm('sub', R3, 1);
        a.ldxDW(R1, this.fp, acc);
        a.alu64Reg('mul', R3, R1); // (n1 - 1) v1
        a.mov64Reg(R2, R4);
        a.ldxDW(R1, this.fp, avg);
        a.alu64Reg('sub', R2, R1);
        a.ldxDW(R1, this.fp, old);
        squareTimes();
        a.alu64Reg('add', R3, R1); // + n1 d1²
        a.ldxDW(R2, R0, STAT_AVGS);
        a.ldxDW(R1, this.fp, avg);
        a.alu64Reg('sub', R2, R1);
        a.ldxDW(R1, R0, STAT_COUNT);
        squareTimes();
        a.alu64Reg('add', R3, R1); // + n2 d2²
        addSpread(); // + (n2 - 1) v2
        a.ldxDW(R2, this.fp, cnt);
        a.alu64Imm('sub', R2, 1);
        a.alu64Reg('sdiv', R3, R2);
        a.stxDW(this.fp, acc, R3);
        a.label(end);
      });
      nonEmpty();
      a.ldxDW(R0, this.fp, acc);
      if ((2 * shift) & 63) a.alu64Imm('arsh', R0, (2 * shift) & 63);
      this.stackTop -= 40;
      return;
    }
    // The global statistic: variance_s = acc / (count - 1), unscaled.
    a.ldxDW(R1, this.fp, cnt);
    a.alu64Imm('sub', R1, 1);
    a.alu64Reg('sdiv', R0, R1);
    if ((2 * shift) & 63) a.alu64Imm('arsh', R0, (2 * shift) & 63);
    this.stackTop -= 40;
  }

  /**
   * `@hist_log(s)[i]` (`inOp`: `i in @hist_log(s)`) in a kernel handler: bucket i summed over
   * every CPU, as the interpreter's histBucket/histIn: an empty statistic is "empty aggregate",
   * an index out of range "histogram index out of range"; `in` is 1 for a nonempty bucket.
   */
  private histRead(h: A.HistOp, index: A.Expr, inOp: boolean): void {
    const a = this.a;
    const { loc, keyOff } = this.statLoc(h.stat, 'this histogram', h.tok);
    const buckets = loc.stats.buckets;
    const [idx, cnt, hits] = [this.stack(8), this.stack(8), this.stack(8)];
    this.long(index);
    a.stxDW(this.fp, idx, R0);
    a.stDW(this.fp, cnt, 0);
    a.stDW(this.fp, hits, 0);
    const top = this.fresh('hcpu');
    const next = this.fresh('hnext');
    const done = this.fresh('hdone');
    const nextCpu = this.percpuLoopHead(loc.map, keyOff, top, done);
    a.ldxDW(R1, this.fp, cnt);
    a.ldxDW(R2, R0, STAT_COUNT);
    a.alu64Reg('add', R1, R2);
    a.stxDW(this.fp, cnt, R1);
    a.ldxDW(R2, this.fp, idx);
    a.jmpImm('jge', R2, buckets, next); // unsigned: negative indexes too
    a.alu64Imm('lsh', R2, 3);
    a.alu64Reg('add', R0, R2);
    a.ldxDW(R2, R0, STAT_HIST);
    a.ldxDW(R1, this.fp, hits);
    a.alu64Reg('add', R1, R2);
    a.stxDW(this.fp, hits, R1);
    a.label(next);
    nextCpu();
    a.label(done);
    this.stackTop -= 8;
    a.at(h.tok);
    a.ldxDW(R2, this.fp, idx);
    if (inOp) {
      const no = this.fresh('hno');
      const end = this.fresh('hend');
      a.jmpImm('jge', R2, buckets, no);
      a.ldxDW(R1, this.fp, hits);
      a.jmpImm('jeq', R1, 0, no);
      a.mov64Imm(R0, 1);
      a.ja(end);
      a.label(no);
      a.mov64Imm(R0, 0);
      a.label(end);
    } else {
      const some = this.fresh('hsome');
      const inRange = this.fresh('hrange');
      a.ldxDW(R1, this.fp, cnt);
      a.jmpImm('jne', R1, 0, some);
      this.runtimeError(EMPTY_AGGREGATE, h.tok);
      a.label(some);
      a.jmpImm('jlt', R2, buckets, inRange);
      this.runtimeError(HIST_INDEX_RANGE, h.tok);
      a.label(inRange);
      a.ldxDW(R0, this.fp, hits);
    }
    this.stackTop -= 24;
  }

  private statAdd(e: A.AssignmentExpr): void {
    const a = this.a;
    const t = e.left;
    let loc: GlobalLoc;
    let keyOff = -1;
    if (t.kind === 'symbol') loc = this.globalLoc(t);
    else if (t.kind === 'arrayindex' && t.base.kind === 'symbol') {
      loc = this.globalLoc(t.base);
      if (loc.kind !== 'array') throw new Error('internal error');
      keyOff = this.key(loc, t.indexes as A.Expr[]);
    } else throw unsupported('this statistic', e.tok);
    if (loc.kind === 'scalar' || !loc.stats) throw new Error('internal error: not a statistic');
    const valSlot = this.stack(8);
    this.long(e.right);
    a.stxDW(this.fp, valSlot, R0);
    const got = this.fresh('stat');
    if (loc.kind === 'stats') {
      a.ldMapFd(R1, loc.map);
      a.mov64Reg(R2, this.fp);
      a.alu64Imm('add', R2, ZERO_KEY);
      a.call('map_lookup_elem');
      a.jmpImm('jeq', R0, 0, this.to(EXIT));
    } else {
      this.lookupKey(loc.map, keyOff);
      a.jmpImm('jne', R0, 0, got);
      // First value for this key: insert zeroed per-CPU slots, then look it up once more
      // (straight-line: the verifier rejects retry loops).
      const zero = this.scratch(loc.stats.size + 8);
      this.zeroScratch(zero, loc.stats.size);
      this.nextSeq();
      a.stxDW(R7, zero + loc.seqOffset, R0);
      a.ldMapFd(R1, loc.map);
      a.mov64Reg(R2, R7);
      a.alu64Imm('add', R2, keyOff);
      a.mov64Reg(R3, R7);
      a.alu64Imm('add', R3, zero);
      a.mov64Imm(R4, 1);
      a.call('map_update_elem');
      const inserted = this.fresh('statins');
      a.jmpImm('jeq', R0, 0, inserted);
      a.jmpImm('jeq', R0, -17, inserted);
      this.runtimeError(arrayOverflowMessage(loc.var), t.kind === 'arrayindex' ? t.base.tok : e.tok);
      a.label(inserted);
      this.lookupKey(loc.map, keyOff);
      a.jmpImm('jeq', R0, 0, this.to(EXIT));
    }
    a.label(got);
    // R0 = this CPU's stat_data; R1 = value.
    a.ldxDW(R1, this.fp, valSlot);
    const first = this.fresh('first');
    const minok = this.fresh('minok');
    const maxok = this.fresh('maxok');
    const hist = this.fresh('hist');
    a.ldxDW(R2, R0, STAT_COUNT);
    a.jmpImm('jeq', R2, 0, first);
    a.ldxDW(R3, R0, STAT_MIN);
    a.jmpReg('jsle', R3, R1, minok);
    a.stxDW(R0, STAT_MIN, R1);
    a.label(minok);
    a.ldxDW(R3, R0, STAT_MAX);
    a.jmpReg('jsge', R3, R1, maxok);
    a.stxDW(R0, STAT_MAX, R1);
    a.label(maxok);
    a.ldxDW(R3, R0, STAT_SUM);
    a.alu64Reg('add', R3, R1);
    a.stxDW(R0, STAT_SUM, R3);
    a.alu64Imm('add', R2, 1);
    a.stxDW(R0, STAT_COUNT, R2);
    const variance = loc.var.statOps.has('@variance');
    const shift = loc.var.varianceShift ?? 0;
    if (variance) this.welford(shift);
    a.ja(hist);
    a.label(first);
    a.stDW(R0, STAT_COUNT, 1);
    a.stxDW(R0, STAT_SUM, R1);
    a.stxDW(R0, STAT_MIN, R1);
    a.stxDW(R0, STAT_MAX, R1);
    if (variance) {
      a.mov64Reg(R3, R1);
      if (shift) a.alu64Imm('lsh', R3, shift);
      a.stxDW(R0, STAT_AVGS, R3);
      a.stDW(R0, STAT_M2, 0);
    }
    a.label(hist);
    if (loc.stats.buckets > 0) this.histBucket(loc.var, loc.stats.buckets);
    a.ldxDW(R0, this.fp, valSlot);
    this.stackTop -= 8;
  }

  /**
   * stap's running variance (__stp_stat_add, as the interpreter's statAdd): R0 = the stat_data,
   * R1 = the value, R2 = the count with it. `delta` is a C int there, hence the 32-bit cut.
   * Keeps R0 and R1.
   */
  private welford(shift: number): void {
    const a = this.a;
    a.mov64Reg(R3, R1);
    if (shift) a.alu64Imm('lsh', R3, shift); // scaled
    a.ldxDW(R5, R0, STAT_AVGS);
    a.mov64Reg(R4, R3);
    a.alu64Reg('sub', R4, R5);
    a.alu64Imm('lsh', R4, 32);
    a.alu64Imm('arsh', R4, 32); // delta
    const q = this.stack(8);
    a.mov64Reg(R5, R4);
    a.alu64Reg('sdiv', R5, R2);
    a.stxDW(this.fp, q, R5);
    a.ldxDW(R5, R0, STAT_AVGS);
    a.ldxDW(R2, this.fp, q);
    a.alu64Reg('add', R5, R2);
    a.stxDW(R0, STAT_AVGS, R5); // avg_s += delta / count
    a.alu64Reg('sub', R3, R5);
    a.alu64Reg('mul', R3, R4);
    a.ldxDW(R4, R0, STAT_M2);
    a.alu64Reg('add', R3, R4);
    a.stxDW(R0, STAT_M2, R3); // m2 += delta * (scaled - avg_s)
    a.ldxDW(R2, R0, STAT_COUNT);
    const few = this.fresh('var1');
    const set = this.fresh('varset');
    a.mov64Imm(R4, -1);
    a.jmpImm('jslt', R2, 2, few);
    a.alu64Imm('sub', R2, 1);
    a.mov64Reg(R4, R3);
    a.alu64Reg('sdiv', R4, R2);
    a.ja(set);
    a.label(few);
    a.label(set);
    a.stxDW(R0, STAT_VARS, R4); // variance_s = m2 / (count - 1)
    this.stackTop -= 8;
  }

  /** Increments the histogram bucket of R1 in the stat_data at R0 (log or linear). */
  private histBucket(v: Var, buckets: number): void {
    const a = this.a;
    const spec = histSpecOf(this.prog, v);
    a.mov64Reg(R5, R0);
    if (spec.kind === 'log') {
      // Bucket 64 for 0, 64 + bit length for v > 0, mirrored below 64 for v < 0.
      const neg = this.fresh('hneg');
      const len = this.fresh('hlen');
      const store = this.fresh('hstore');
      a.mov64Imm(R2, 64);
      a.jmpImm('jeq', R1, 0, store);
      a.mov64Reg(R3, R1);
      a.jmpImm('jsge', R1, 0, len);
      a.neg64(R3);
      a.label(len);
      // R4 = bit length of R3 (as unsigned), by halving.
      a.mov64Imm(R4, 0);
      for (const step of [32, 16, 8, 4, 2, 1]) {
        const skip = this.fresh('hb');
        a.mov64Reg(R0, R3);
        a.alu64Imm('rsh', R0, step);
        a.jmpImm('jeq', R0, 0, skip);
        a.mov64Reg(R3, R0);
        a.alu64Imm('add', R4, step);
        a.label(skip);
      }
      a.alu64Imm('add', R4, 1); // R3 is now 1: count it
      a.mov64Imm(R2, 64);
      a.alu64Reg('add', R2, R4);
      a.jmpImm('jsge', R1, 0, store);
      a.mov64Imm(R2, 128);
      a.alu64Reg('sub', R2, R2);
      a.mov64Imm(R2, 64);
      a.alu64Reg('sub', R2, R4);
      a.label(neg);
      a.label(store);
    } else if (spec.kind === 'linear') {
      // (v - start) / interval + 1, 0 below start, clamped to the overflow bucket.
      const under = this.fresh('hunder');
      const store = this.fresh('hstore');
      a.mov64Reg(R2, R1);
      a.ldImm64(R3, BigInt(spec.start));
      a.alu64Reg('sub', R2, R3);
      a.jmpImm('jslt', R2, 0, under);
      a.alu64Imm('div', R2, spec.interval);
      a.alu64Imm('add', R2, 1);
      a.ja(store);
      a.label(under);
      a.mov64Imm(R2, 0);
      a.label(store);
    }
    // Clamp for the verifier (and the overflow bucket).
    this.clampSigned(R2, 0, buckets - 1);
    a.alu64Imm('lsh', R2, 3);
    a.alu64Reg('add', R2, R5);
    a.ldxDW(R3, R2, STAT_HIST);
    a.alu64Imm('add', R3, 1);
    a.stxDW(R2, STAT_HIST, R3);
    a.mov64Reg(R0, R5);
  }

  // ---- strings -----------------------------------------------------------------------

  /** Evaluates a string expression into a word-padded scratch slot (kstrings.ts); returns its offset. */
  private str(e: A.Expr): number {
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
  }

  /**
   * `$$vars`, `$$parms` ("name=%x ..." of the tracepoint's or function's arguments, as
   * stapprobes defines them), `$$locals` (no locals without DWARF: ""), `$$return` (fexit:
   * "return=%x"), `$$name` and `$$system` (a tracepoint's name and subsystem).
   */
  private contextString(e: A.TargetSymbol): number {
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
    // number (an array, a dynamic string) as "name=?", stap's mark for a value it cannot show.
    const pretty = e.components[0]?.type === 'pretty' ? e.components[0] : null;
    const btf = vars.kind === 'btf_args' ? vars.btf : null;
    const parts: { name: string; fmt: string | null }[] = e.name === '$$locals' ? []
      : e.name === '$$return' ? [{ name: 'return', fmt: '%#x' }]
      : vars.kind === 'tracefs'
        ? vars.format.fields.filter((f) => !f.common && !f.name.startsWith('__'))
          .map((f) => ({ name: f.name, fmt: f.isArray || f.dataLoc ? null : /\*/.test(f.type) ? '%p' : '%#x' }))
        : vars.params.filter((p) => p.name !== 'return' || !(at.kind === 'function' && at.ret))
          .map((p) => ({ name: p.name, fmt: pretty ? '%s' : resolved(btf!, p.type).kind === 'ptr' ? '%p' : '%#x' }));
    if (pretty && vars.kind === 'tracefs') throw unsupported('pretty printing of tracepoint fields (no BTF types)', e.tok);
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
  }

  /**
   * `a . b` into a fresh slot: probe_read_kernel_str copies a and tells its length, then b is
   * copied after it into what is left of the slot (truncated as stap truncates at MAXSTRINGLEN).
   */
  private concat(e: A.ConcatExpr): number {
    const l = this.str(e.left);
    return this.concatOffsets(l, this.str(e.right));
  }

  /** A constant string (latin1 bytes, cut to MAXSTRINGLEN - 1) in a fresh slot. */
  private bytesLiteral(bytes: string): number {
    const off = this.scratch(this.SLOT);
    this.ks.literal(R7, off, bytes);
    return off;
  }

  /**
   * The strings at scratch offsets `l` and `r`, joined into `out` (a fresh slot by default):
   * probe_read_kernel_str copies l and tells its length, then r goes after it into what is
   * left (MAXSTRINGLEN in all). `out` may be `l` itself (copying a string onto itself changes
   * nothing: it only measures it), but never `r`'s slot. `r` may instead be a constant in the
   * read-only map, read from there with no copy to scratch first.
   */
  private concatOffsets(l: number, r: number | { map: MapSpec; offset: number }, out = this.scratch(this.SLOT)): number {
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
  }

  /**
   * A string value into the scratch slot `slot` (a local, a function's result): a literal is
   * written there word by word, anything else computed and copied.
   */
  private storeString(slot: number, value: A.Expr): void {
    if (value.kind === 'literal_string' && !this.inScratch.has(value)) {
      this.a.at(value.tok);
      this.ks.literal(R7, slot, unescapeLiteral(value.value));
      return;
    }
    this.ks.copy(R7, slot, R7, this.str(value));
  }

  /**
   * `local .= x` in place: the local's slot is the left part and the result, and a literal
   * `x` is read from the constants map. Two helper calls where a general concatenation into a
   * fresh slot and the copy back take three plus the literal's stores: flag decoders append a
   * dozen literals.
   */
  private appendToLocal(slot: number, right: A.Expr): number {
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
  }

  private stringCall(e: A.FunctionCall): number {
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
      case 'string_quoted/1': return this.stringQuoted(this.str(e.args[0]!));
      case 'cmdline_str/0': return this.cmdlineStr(e.tok);
      case 'ubacktrace/0': return this.ubacktraceString();
      case 'errno_str/1': return this.errnoStr(e.args[0]!);
      case 'syscall_name/1': this.long(e.args[0]!); return this.tableString(syscallNameTable(), SYSCALL_NAME_COUNT, SYSCALL_NAME_SLOT);
      case 'signal_str/1': this.long(e.args[0]!); return this.tableString(signalTable(), SIGNAL_COUNT, SIGNAL_SLOT);
    }
    if (USER_SYMBOL_FUNCTIONS.has(e.name)) throw unsupported(`${e.name}() other than as a print argument (user addresses are symbolized in user space)`, e.tok);
    throw unsupported(`function ${e.name}() returning a string`, e.tok);
  }

  // ---- functions ------------------------------------------------------------------------

  /**
   * Sends the user stack of the probe as a record (wire/ustack.ts): addresses and build ID +
   * file offset per frame, which name the file even when the process is gone before user space
   * reads the record. Built in scratch, the build-ID frames moved up to the last address: the
   * record holds only the frames there are. As a `context`, returns stack slots holding the
   * record's pid and time (what the print record that uses it carries).
   */
  private userStackRecord(context: boolean): { pid: number; time: number } {
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
  }

  /**
   * ubacktrace(): stap's hex string of the user stack, `0x%x ` per frame (_STP_SYM_NONE), cut at
   * MAXSTRINGLEN - 1. bpf_snprintf takes at most 12 arguments: frames 1-12 in one call, 13-20 in
   * a second where the first ended; each call's format is the tail of one constant with as
   * many conversions as there are frames (the verifier wants a constant format).
   */
  private ubacktraceString(): number {
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
  }

  /**
   * R0 = whether the string at `needle` occurs in the one at `hay` (scratch offsets), with the
   * kernel's bpf_strstr kfunc (Linux 6.17+; open-coded nested loops exceed the verifier's
   * jump-history limit).
   */
  private isinstr(hay: number, needle: number, tok: Token): void {
    const a = this.a;
    if (this.getBtf()?.find('func', 'bpf_strstr') === undefined) throw unsupported('isinstr() on a kernel without bpf_strstr', tok);
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, hay);
    a.mov64Reg(R2, R7);
    a.alu64Imm('add', R2, needle);
    a.callKfunc('bpf_strstr');
    // An int: an index (found), or a negative errno (-ENOENT: not found).
    a.movsx64(R0, R0, 32);
    this.boolOf('jsge', 0);
  }

  private call(e: A.FunctionCall): void {
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
      case 'local_clock_ns/0': case 'ktime_get_ns/0': a.call('ktime_get_ns'); return;
      case 'isinstr/2': this.isinstr(this.str(e.args[0]!), this.str(e.args[1]!), e.tok); return;
      case 'strlen/1': {
        // probe_read_kernel_str into a spare slot returns the length including the NUL.
        const src = this.str(e.args[0]!);
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
        return;
      }
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
        const div = { gettimeofday_ns: 1, gettimeofday_us: 1000, gettimeofday_ms: 1000000, gettimeofday_s: 1000000000 }[e.name]!;
        if (div > 1) a.alu64Imm('div', R0, div);
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
      case 'local_clock_us/0': a.call('ktime_get_ns'); a.alu64Imm('div', R0, 1000); return;
      case 'local_clock_ms/0': a.call('ktime_get_ns'); a.alu64Imm('div', R0, 1000000); return;
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
          this.runtimeError(unescapeLiteral(arg.value), null);
          return;
        }
        this.runtimeError(arg, null); // a computed message
        return;
      }
    }
    throw unsupported(`function ${e.name}()`, e.tok);
  }

  /** Offsets in struct task_struct from the kernel's BTF. */
  private taskOffsets(fn = 'ppid()'): { realParent: number; tgid: number; comm: number } {
    const btf = this.btf();
    const task = btf?.find('struct', 'task_struct');
    const rp = task !== undefined && btf ? memberOf(btf, task, 'real_parent') : undefined;
    const tg = task !== undefined && btf ? memberOf(btf, task, 'tgid') : undefined;
    const comm = task !== undefined && btf ? memberOf(btf, task, 'comm') : undefined;
    if (!rp || !tg || !comm) throw unsupported(`${fn} without kernel BTF`, this.probe.tok);
    return { realParent: rp.bitOffset / 8, tgid: tg.bitOffset / 8, comm: comm.bitOffset / 8 };
  }

  /** current->real_parent into R3 (read through the stack slot `slot`). */
  private currentParent(off: { realParent: number }, slot: number): void {
    const a = this.a;
    a.call('get_current_task');
    a.mov64Reg(R3, R0);
    a.alu64Imm('add', R3, off.realParent);
    a.mov64Reg(R1, this.fp);
    a.alu64Imm('add', R1, slot);
    a.mov64Imm(R2, 8);
    a.call('probe_read_kernel');
    a.ldxDW(R3, this.fp, slot);
  }

  private btf(): Btf | null {
    return this.target.vars.kind === 'btf_args' ? this.target.vars.btf : this.getBtf();
  }

  private defined(e: A.Expr): boolean {
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
  }

  // ---- $target variables --------------------------------------------------------------

  private targetVar(e: A.TargetSymbol): void {
    const a = this.a;
    const name = e.name.slice(1);
    const vars = this.target.vars;
    if (vars.kind === 'none') throw new SemanticError('target:none', `unable to find target variable '${e.name}' in this probe`, e.tok);
    if (vars.kind === 'tracefs') {
      const f = vars.format.fields.find((x) => x.name === name);
      if (!f) throw new SemanticError('target:unknown', `unable to find tracepoint variable '${e.name}' (alternatives: ${vars.format.fields.filter((x) => !x.common).map((x) => '$' + x.name).join(' ')})`, e.tok);
      if (e.components.length) throw unsupported('-> on tracepoint fields', e.tok);
      // A field stored wider than its C type (syscall arguments) reads as the type's width.
      const narrow = !f.isArray && !f.dataLoc && f.size > 1 ? narrowIntType(f.type) : null;
      const bytes = narrow && narrow.bytes < f.size ? narrow.bytes : f.size;
      const signed = narrow && narrow.bytes < f.size ? narrow.signed : f.signed;
      const size = bytes === 8 ? 'dw' : bytes === 4 ? 'w' : bytes === 2 ? 'h' : 'b';
      if (signed && size !== 'dw') a.ldxs(size, R0, R6, f.offset);
      else a.ldx(size, R0, R6, f.offset);
      return;
    }
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
  }

  /**
   * `->member...` from R0, a value of BTF type `type`: a pointer's value, or the address of a
   * struct or union (an embedded member, an @cast). The result in R0.
   */
  private memberChain(btf: Btf, type: number, components: A.TargetComponent[], addressof = false, tok: Token | null = null): void {
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
        if (!(addressof && last)) this.readValue(btf, elem, 0);
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
      if (m.bitSize) this.readBitfield(m.bitOffset, m.bitSize, mt.kind === 'int' && mt.signed, c.tok);
      else this.readValue(btf, m.type, m.bitOffset / 8);
      type = m.type;
    }
  }

  /**
   * R0 = the value of BTF type `type` at R0 + `off`, read with probe_read_kernel (safe for any
   * address; 0 when unreadable); an aggregate (array, struct, union) stays an address.
   */
  private readValue(btf: Btf, type: number, off: number): void {
    const a = this.a;
    const t = resolved(btf, type);
    if (t.kind === 'array' || t.kind === 'struct' || t.kind === 'union') {
      // An aggregate: its address (for kernel_string or further -> and [i]).
      if (off) a.alu64Imm('add', R0, off);
      return;
    }
    const size = sizeof(btf, type) ?? 8;
    const slot = this.stack(8);
    this.readKernel(R0, off, slot, Math.min(size, 8));
    const signed = t.kind === 'int' && t.signed;
    const sz = size >= 8 ? 'dw' : size === 4 ? 'w' : size === 2 ? 'h' : 'b';
    if (signed && sz !== 'dw') a.ldxs(sz, R0, this.fp, slot);
    else a.ldx(sz, R0, this.fp, slot);
    this.stackTop -= 8;
  }

  /** `$var$`, `$var->x$$`, `@cast(p, "t")$`: stap's pretty printing (pretty.ts) of the value's BTF type. */
  private prettyPrint(e: A.TargetSymbol | A.CastOp): number {
    const inner = e.components.slice(0, -1);
    let btf: Btf;
    let type: number;
    if (e.kind === 'cast_op') ({ btf, type } = this.castBase(e));
    else {
      const vars = this.target.vars;
      if (vars.kind !== 'btf_args') throw unsupported('pretty printing of tracepoint fields (no BTF types)', e.tok);
      btf = vars.btf;
      type = vars.params[this.argIndex(vars, e)]!.type;
    }
    const end = chainTypeOf(btf, type, inner);
    if (end === undefined) throw new SemanticError('target:member', `unable to resolve '${describeExpr(e)}'`, e.tok);
    return this.sprintf(prettyPrintCall(btf, e, end));
  }

  /**
   * R0 = the bitfield `bits` wide at `bitOffset` bits from the address in R0 (little-endian bit
   * numbering, as BTF gives it on x86_64 and arm64): the bytes holding it read into a zeroed
   * word, shifted to the top and back down (arithmetically for a signed field).
   */
  private readBitfield(bitOffset: number, bits: number, signed: boolean, tok: Token): void {
    const a = this.a;
    const shift = bitOffset % 8;
    const bytes = Math.ceil((shift + bits) / 8);
    if (bytes > 8) throw unsupported('a bitfield spanning more than 8 bytes', tok);
    const slot = this.stack(8);
    this.readKernel(R0, Math.floor(bitOffset / 8), slot, bytes);
    a.ldxDW(R0, this.fp, slot);
    if (64 - shift - bits > 0) a.alu64Imm('lsh', R0, 64 - shift - bits);
    if (bits < 64) a.alu64Imm(signed ? 'arsh' : 'rsh', R0, 64 - bits);
    this.stackTop -= 8;
  }

  /**
   * `@cast(p, "type"[, "kernel"])->member...`: p as the address of a kernel struct or union
   * named in vmlinux BTF (`task_struct`, `struct sock`), its members read as for `$arg->`.
   */
  private castOp(e: A.CastOp): void {
    const { btf, type } = this.castBase(e);
    this.long(e.operand);
    this.memberChain(btf, type, e.components, e.addressof, e.tok);
  }

  /** The BTF and the type an @cast names, or the errors stap gives. */
  private castBase(e: A.CastOp): { btf: Btf; type: number } {
    const btf = this.getBtf();
    if (!btf) throw new SemanticError('cast:btf', `@cast needs the kernel's BTF (/sys/kernel/btf/vmlinux)`, e.tok);
    if (e.module && !/^kernel(<.*>)?$/.test(e.module)) throw unsupported(`@cast into module "${e.module}"`, e.tok);
    const type = castType(btf, e.typeName);
    if (type === undefined) throw new SemanticError('cast:type', `type definition '${e.typeName}' not found in the kernel's BTF`, e.tok);
    return { btf, type };
  }

  /** The index of `$name` among a BTF-typed probe's arguments, or stap's error listing them. */
  private argIndex(vars: Extract<Target['vars'], { kind: 'btf_args' }>, e: A.TargetSymbol): number {
    const idx = vars.params.findIndex((p) => p.name === e.name.slice(1));
    if (idx < 0) throw new SemanticError('target:unknown', `unable to find tracepoint variable '${e.name}' (alternatives: ${vars.params.map((p) => '$' + p.name).join(' ')})`, e.tok);
    return idx;
  }

  /**
   * pid2task(pid): the task_struct address of a process id (0 when there is none), from the
   * bpf_task_from_pid kfunc (Linux 6.2). The reference it takes is dropped at once, the address
   * kept as a number (through map memory: the verifier lets root store a pointer there) for
   * @cast reads, which tolerate a task that goes away meanwhile, as stap's pid2task does.
   */
  private pid2task(e: A.FunctionCall): void {
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
  }

  /** R0 (a 64-bit slot) as the BTF integer type `type`: sign- or zero-extended from its size. */
  private extendInt(btf: Btf, type: number): void {
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
  }

  /** Whether a `$arg->...` chain reads some member (rather than only adding offsets to the argument). */
  private chainReads(btf: Btf, type: number, components: A.TargetSymbol['components']): boolean {
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
  }

  // ---- output -------------------------------------------------------------------------

  /**
   * sprintf (and sprint, sprintln, ...) in the kernel: the arguments evaluated in order (strings
   * into scratch, longs onto the stack), then formatted by sprintf.ts (bpf_snprintf, Linux
   * 5.13+, with what it cannot format rewritten), as the interpreter formats them.
   */
  private sprintf(e: A.PrintFormat): number {
    // sprint/sprintd/sprintln...: the format the interpreter derives from the argument types.
    const components = e.withFormat ? parseFormat(e.format!) : printComponents(
      e.args.map((x) => (this.typeOf(x) === 'string' ? 'string' : 'long')),
      { ...(e.withDelim ? { delimiter: e.delimiter! } : {}), newline: e.withNewline });
    const kinds = sprintfArgKinds(components, (what) => unsupported(what, e.tok));
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
    const out = emitSprintf({
      asm: () => this.a,
      fp: this.fp,
      stack: (bytes) => this.stack(bytes),
      stackTop: () => this.stackTop,
      resetStack: (t) => { this.stackTop = t; },
      scratch: (bytes) => this.scratch(bytes),
      constant: (bytes) => this.layout.constant(bytes),
      ks: this.ks,
      unsupported: (what) => unsupported(what, e.tok),
    }, components, args);
    this.stackTop = top;
    return out;
  }

  private print(e: A.PrintFormat): void {
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
    if (e.withFormat) parseFormat(e.format!); // already validated at pass 1
    // Arguments that are calls of user-space-only built-ins (ctime(...)) travel as their own
    // arguments; user space makes the call when it formats the line.
    // Not inside try: a deferred call's error could not reach the catch block any more.
    const deferred = e.args.map((x) => (this.tries.length === 0 && isDeferred(x, this.prog) ? (x as A.FunctionCall).name : null));
    const sent = e.args.flatMap((x, i) => (deferred[i] ? (x as A.FunctionCall).args : [x]));
    const fields: RecordField[] = sent.map((x) => (this.typeOf(x) === 'string' ? { type: 'string', size: this.ks.maxLen } : { type: 'long' }));
    const call = this.records.printCalls.length;
    this.records.printCalls.push(e);
    // usymname() and kin: the probe's user stack goes first, in a record of its own; this one
    // names it by pid and time (two more long fields) and user space looks addresses up in it.
    const ready = new Map<number, number>();
    const top = this.stackTop;
    const ucontext = deferred.some((d) => d !== null && USER_SYMBOL_FUNCTIONS.has(d));
    if (ucontext) {
      const ctx = this.userStackRecord(true);
      for (const slot of [ctx.pid, ctx.time]) {
        ready.set(sent.length, slot);
        sent.push({ kind: 'literal_number', tok: e.tok, value: 0n } as unknown as A.Expr);
        fields.push({ type: 'long' });
      }
    }
    this.emitRecord({ kind: 'printf', call, ...(deferred.some((d) => d) ? { deferred } : {}), ...(ucontext ? { ucontext: true as const } : {}) }, fields, sent, ready);
    this.stackTop = top;
    this.a.mov64Imm(R0, 0);
  }

  /**
   * Evaluates `args` and sends a record of `fields` (wire/records.ts): longs only, reserved in the
   * ring buffer and filled in place; with strings, built in scratch with each string taking only
   * its bytes, then copied with bpf_ringbuf_output.
   */
  private emitRecord(what: RecordKind, fields: RecordField[], args: A.Expr[] = [], ready = new Map<number, number>()): void {
    const a = this.a;
    const fmt = this.records.add(what, fields);
    const layout = recordLayout(fields);
    const offsets = layout.longOffsets;
    // Evaluate first: helpers clobber R0-R5, and the reservation must not be held across them.
    const longSlots: number[] = [];
    const strSlots: number[] = [];
    args.forEach((x, i) => {
      const done = ready.get(i);
      if (done !== undefined) {
        longSlots[i] = done;
        return;
      }
      if (fields[i]!.type === 'long') {
        this.long(x);
        const s = this.stack(8);
        a.stxDW(this.fp, s, R0);
        longSlots[i] = s;
      } else {
        strSlots[i] = this.str(x);
      }
    });
    const dropped = this.fresh('drop');
    const end = this.fresh('sent');
    if (layout.hasStrings) {
      this.sendWithStrings(fmt.id, fields, longSlots, strSlots, dropped);
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
    this.stackTop -= 8 * longSlots.filter((x, i) => x !== undefined && !ready.has(i)).length;
  }

  /**
   * A record with strings, built in scratch: header and longs at their offsets, then each
   * string's bytes and NUL right after the previous one (the running length in a stack slot,
   * bounded for the verifier); bpf_ringbuf_output sends what was used. Jumps to `dropped` when
   * the ring buffer is full.
   */
  private sendWithStrings(id: number, fields: RecordField[], longSlots: number[], strSlots: number[], dropped: string): void {
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
      a.mov64Reg(R3, R7);
      a.alu64Imm('add', R3, strSlots[i]!);
      a.ldxDW(R2, this.fp, pos);
      a.mov64Reg(R1, R7);
      a.alu64Imm('add', R1, rec);
      a.alu64Reg('add', R1, R2);
      a.mov64Imm(R2, S);
      a.call('probe_read_kernel_str');
      // A failed copy cleared its bytes: it counts as "" (its NUL).
      this.clampSigned(R0, 1, S);
      a.ldxDW(R1, this.fp, pos);
      a.alu64Reg('add', R1, R0);
      a.stxDW(this.fp, pos, R1);
    });
    a.ldMapFd(R1, this.layout.ringbuf);
    a.mov64Reg(R2, R7);
    a.alu64Imm('add', R2, rec);
    a.ldxDW(R3, this.fp, pos);
    a.mov64Imm(R4, 0);
    a.call('ringbuf_output');
    a.jmpImm('jne', R0, 0, dropped);
    this.stackTop -= 8;
  }

  /** An expression node that evaluates to the string already at scratch offset `off`. */
  private scratchExpr(off: number, tok: Token): A.Expr {
    const e = { kind: 'literal_string', value: '', tok } as A.Expr;
    this.inScratch.set(e, off);
    return e;
  }

  /**
   * bpf_snprintf of the constant format `fmt` with `n` u64 arguments at stack slot `data` into
   * a fresh scratch slot; returns its offset.
   */
  private snprintfSlots(fmt: string, data: number, n: number): number {
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
  }

  /**
   * After a string read (R0 = the helper's result): stap's copy-fault error when it failed,
   * "user string copy fault -14 at 0x0 [man error::fault]" (catchable, as in stap).
   */
  private stringFault(kind: 'user' | 'kernel', addrSlot: number, tok: Token): void {
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
  }

  /**
   * errno_str(e): the name of |e| from a table in the constants map (ERRNO_SLOT bytes per
   * errno), "" when unknown, as the interpreter's errnoName.
   */
  private errnoStr(arg: A.Expr): number {
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
  }

  /**
   * Entry R0 of a name table in the constants map (`count` fixed slots of `slot` bytes) into a
   * fresh string slot; "" when R0 is outside [first, count).
   */
  private tableString(table: string, count: number, slot: number, first = 0): number {
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
  }

  /**
   * int_arg(n) and kin: argument n (a literal, 1-6) of the probed system call, from a syscall
   * tracepoint's record (syscalls:* and raw_syscalls:* keep the arguments at 16 + 8 * (n - 1)).
   */
  private syscallArg(e: A.FunctionCall): void {
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
  }


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
  private cmdlineStr(tok: Token): number {
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
  }

  private stringQuoted(src: number): number {
    const a = this.a;
    const S = this.ks.maxLen;
    const out = this.scratch(this.SLOT);
    const st = this.scratch(40);
    const q: QuoteState = { src, out, j: st, room: st + 8, esc: st + 16, escLen: st + 24, truncated: st + 32 };
    a.mov64Imm(R1, 1);
    a.stxDW(R7, q.j, R1);
    a.mov64Imm(R1, S - 3); // stap: max(MAXSTRINGLEN - 1, 5) - 2
    a.stxDW(R7, q.room, R1);
    a.stDW(R7, q.esc, -1);
    a.stDW(R7, q.escLen, 0);
    a.stDW(R7, q.truncated, 0);
    a.mov64Imm(R1, 0x22);
    a.stxB(R7, out, R1);
    const step = this.callback('loop', () => this.quoteStep(q));
    this.runLoop(S - 1, step.name);
    this.dispatchEscapes(step.escaped);
    const trunc = this.fresh('qtrunc');
    const end = this.fresh('qend');
    a.ldxDW(R1, R7, q.truncated);
    a.jmpImm('jne', R1, 0, trunc);
    // The closing quote after the last byte, then the NUL (fixTail, from the length in R0).
    a.ldxDW(R3, R7, q.j);
    this.clampSigned(R3, 1, S - 2);
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, out);
    a.alu64Reg('add', R1, R3);
    a.mov64Imm(R0, 0x22);
    a.stxB(R1, 0, R0);
    a.mov64Reg(R0, R3);
    a.alu64Imm('add', R0, 2);
    a.ja(end);
    a.label(trunc);
    // cut = j - 3 + room, moved back to the remembered escape when that would cut it in half.
    a.ldxDW(R3, R7, q.j);
    a.ldxDW(R4, R7, q.room);
    a.alu64Reg('add', R3, R4);
    a.alu64Imm('sub', R3, 3);
    const keep = this.fresh('qkeep');
    a.ldxDW(R1, R7, q.esc);
    a.jmpImm('jslt', R1, 0, keep);
    a.jmpReg('jsge', R1, R3, keep);
    a.ldxDW(R0, R7, q.escLen);
    a.alu64Reg('add', R0, R1);
    a.jmpReg('jsge', R3, R0, keep);
    a.mov64Reg(R3, R1);
    a.label(keep);
    this.clampSigned(R3, 1, S - 5);
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, out);
    a.alu64Reg('add', R1, R3);
    a.mov64Imm(R0, 0x22);
    a.stxB(R1, 0, R0);
    a.mov64Imm(R0, 0x2e);
    for (let k = 1; k <= 3; k++) a.stxB(R1, k, R0);
    a.mov64Reg(R0, R3);
    a.alu64Imm('add', R0, 5);
    a.label(end);
    this.ks.fixTail(R7, out); // what the loop wrote past the end is cut off
    return out;
  }

  /** One input byte of string_quoted (the bpf_loop callback's body; R1 = the index). */
  private quoteStep(q: QuoteState): void {
    const a = this.a;
    const stop = this.fresh('qstop');
    const trunc = this.fresh('qtrunc');
    const escape = this.fresh('qesc');
    const next = this.fresh('qnext');
    const octal = this.fresh('qoct');
    const shortLetter = new Map([[0x07, 'a'], [0x08, 'b'], [0x0c, 'f'], [0x0a, 'n'], [0x0d, 'r'], [0x09, 't'], [0x0b, 'v'], [0x22, '"'], [0x5c, '\\']]);
    a.mov64Reg(R2, R1);
    a.jmpImm('jge', R2, this.ks.maxLen - 1, stop);
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, q.src);
    a.alu64Reg('add', R1, R2);
    a.ldxB(R5, R1, 0);
    a.jmpImm('jeq', R5, 0, stop);
    a.ldxDW(R4, R7, q.room);
    a.jmpImm('jsle', R4, 0, trunc);
    a.ldxDW(R3, R7, q.j);
    // Never taken (j + room stays MAXSTRINGLEN - 2, and an escape is only written when it fits the
    // room); it bounds j for the verifier.
    a.jmpImm('jgt', R3, this.ks.maxLen - 2, trunc);
    a.jmpImm('jlt', R5, 0x20, escape);
    a.jmpImm('jge', R5, 0x7f, escape);
    a.jmpImm('jeq', R5, 0x22, escape);
    a.jmpImm('jeq', R5, 0x5c, escape);
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, q.out);
    a.alu64Reg('add', R1, R3);
    a.stxB(R1, 0, R5);
    a.alu64Imm('add', R3, 1);
    a.stxDW(R7, q.j, R3);
    a.alu64Imm('sub', R4, 1);
    a.stxDW(R7, q.room, R4);
    a.ja(next);
    a.label(escape);
    // R0 = the escape's length: 2 for \\n and kin, 4 for \\ooo.
    a.mov64Imm(R0, 4);
    for (const c of shortLetter.keys()) {
      const no = this.fresh('qs');
      a.jmpImm('jne', R5, c, no);
      a.mov64Imm(R0, 2);
      a.label(no);
    }
    // The first escape that the `"...` ending could cut is remembered.
    const noMark = this.fresh('qnomark');
    a.ldxDW(R1, R7, q.esc);
    a.jmpImm('jsge', R1, 0, noMark);
    a.mov64Reg(R1, R4);
    a.alu64Imm('sub', R1, 3);
    a.jmpReg('jsge', R1, R0, noMark);
    a.stxDW(R7, q.esc, R3);
    a.stxDW(R7, q.escLen, R0);
    a.label(noMark);
    a.jmpReg('jslt', R4, R0, trunc);
    a.alu64Reg('sub', R4, R0);
    a.stxDW(R7, q.room, R4);
    a.mov64Reg(R1, R7);
    a.alu64Imm('add', R1, q.out);
    a.alu64Reg('add', R1, R3);
    a.alu64Reg('add', R3, R0);
    a.stxDW(R7, q.j, R3);
    a.mov64Imm(R0, 0x5c);
    a.stxB(R1, 0, R0);
    for (const [c, letter] of shortLetter) {
      const no = this.fresh('qs');
      a.jmpImm('jne', R5, c, no);
      a.mov64Imm(R0, letter.charCodeAt(0));
      a.stxB(R1, 1, R0);
      a.ja(next);
      a.label(no);
    }
    a.label(octal);
    for (let k = 0; k < 3; k++) {
      a.mov64Reg(R0, R5);
      a.alu64Imm('rsh', R0, 6 - 3 * k);
      a.alu64Imm('and', R0, 7);
      a.alu64Imm('add', R0, 0x30);
      a.stxB(R1, 1 + k, R0);
    }
    a.label(next);
    a.mov64Imm(R0, 0);
    a.exit();
    a.label(trunc);
    a.stDW(R7, q.truncated, 1);
    a.label(stop);
    a.mov64Imm(R0, 1);
    a.exit();
  }

  /**
   * A run-time error (a fixed message, or error()'s computed one): inside `try`, the catch block
   * runs with the message (as the interpreter); otherwise tell user space (which prints it as
   * stap does) and end the handler. MAXACTION is not catchable.
   */
  private runtimeError(message: string | A.Expr | { scratch: number }, tok: Token | null): void {
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
  }
}

/** The histogram a statistic carries (from the @hist ops applied to it anywhere). */
export function histSpecOf(prog: Elaborated, v: Var): { kind: 'none' } | { kind: 'log' } | { kind: 'linear'; start: number; stop: number; interval: number } {
  const h = histOpOf(prog, v);
  if (!h) return { kind: 'none' };
  if (h.htype === 'log') return { kind: 'log' };
  return { kind: 'linear', start: Number(h.params[0]), stop: Number(h.params[1]), interval: Number(h.params[2]) };
}

/** Whether `s` always leaves by a jump (then nothing may follow it directly). */
function endsInJump(s: A.Stmt): boolean {
  if (s.kind === 'next_statement' || s.kind === 'break_statement' || s.kind === 'continue_statement' || s.kind === 'return_statement') return true;
  if (s.kind === 'block') return s.statements.length > 0 && endsInJump(s.statements[s.statements.length - 1]!);
  return false;
}

/** Whether the body (or a function it calls) loops: then the prologue sets up the budget. */
function hasLoops(body: A.Stmt, prog: Elaborated): boolean {
  return contains(body, prog, (n) => n.kind === 'for_loop' || n.kind === 'foreach_loop');
}

/** Whether the body, or a function it calls, has a node `match` accepts. */
function contains(body: A.Stmt, prog: Elaborated, match: (n: Node) => boolean): boolean {
  const seen = new Set<Func>();
  const visit = (n: Node): boolean => {
    if (match(n)) return true;
    if (n.kind === 'functioncall') {
      const f = prog.bindings.calls.get(n);
      if (f?.decl && !seen.has(f)) {
        seen.add(f);
        if (visit(f.decl.body)) return true;
      }
    }
    let found = false;
    forEachChild(n, (c) => {
      if (!found && visit(c)) found = true;
    });
    return found;
  };
  return visit(body);
}

function firstTok(s: A.Stmt): Token | null {
  if (s.kind !== 'block') return s.tok;
  for (const x of s.statements) {
    const t = firstTok(x);
    if (t) return t;
  }
  return null;
}

function describeExpr(e: A.Expr): string {
  switch (e.kind) {
    case 'concat': return 'string concatenation';
    case 'regex_query': return 'regular expressions';
    case 'stat_op': return `@${e.ctype}`;
    case 'cast_op': return '@cast';
    case 'atvar_op': return '@var';
    case 'entry_op': return '@entry';
    default: return e.kind.replace(/_/g, ' ');
  }
}

function describeStmt(s: A.Stmt): string {
  switch (s.kind) {
    case 'for_loop': return 'loops';
    case 'foreach_loop': return 'foreach';
    case 'try_block': return 'try/catch';
    case 'return_statement': return 'return';
    default: return s.kind.replace(/_/g, ' ');
  }
}

/** The BTF id of a C type name as @cast spells it: `task_struct`, `struct sock`, `union x`, a typedef. */
function castType(btf: Btf, name: string): number | undefined {
  const m = /^\s*(struct|union)?\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(name);
  if (!m) return undefined;
  if (m[1] === 'union') return btf.find('union', m[2]!);
  return btf.find('struct', m[2]!) ?? (m[1] ? undefined : btf.find('union', m[2]!) ?? btf.find('typedef', m[2]!));
}

/** The BTF type at the end of `->member` and `[i]` components from type `type`; undefined if some do not resolve. */
function chainTypeOf(btf: Btf, type: number, components: A.TargetComponent[]): number | undefined {
  for (const c of components) {
    const cur = resolved(btf, type);
    if (c.type === 'pretty') return undefined;
    if (c.type !== 'member') {
      if (cur.kind !== 'array' && cur.kind !== 'ptr') return undefined;
      type = cur.type;
      continue;
    }
    const base = memberBase(cur, type);
    const m = base === null ? undefined : memberOf(btf, base, c.member);
    if (!m) return undefined;
    type = m.type;
  }
  return type;
}

/**
 * The pt_regs offset of argument `i` of a kernel function at a kprobe (-1: the return value
 * at a kretprobe), by the calling convention of the machine tstap runs on.
 */
function registerOffset(i: number, tok: Token): number {
  if (process.arch === 'arm64') {
    // struct user_pt_regs: regs[31] (x0..x30) first.
    if (i < 0) return 0;
    if (i < 8) return 8 * i;
  } else {
    // x86_64 struct pt_regs: r15 r14 r13 r12 bp bx r11 r10 r9 r8 ax cx dx si di ...
    if (i < 0) return 80;
    const order = [112, 104, 96, 88, 72, 64]; // di si dx cx r8 r9
    if (i < order.length) return order[i]!;
  }
  throw unsupported(`kernel function argument ${i + 1} at a kprobe (passed on the stack)`, tok);
}

/**
 * What `->member` looks in from a value of type `type` (resolved: `cur`): the pointee of a
 * pointer, the struct or union itself (embedded, or @cast), else nothing.
 */
function memberBase(cur: ReturnType<typeof resolved>, type: number): number | null {
  return cur.kind === 'ptr' ? cur.type : cur.kind === 'struct' || cur.kind === 'union' ? type : null;
}
