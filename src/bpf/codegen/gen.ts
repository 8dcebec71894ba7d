// Code generation for one kernel probe handler: the elaborated handler body to eBPF. Values are
// computed into R0 with intermediates on the BPF stack; strings live in fixed slots of a per-CPU
// scratch area (R7); scalar globals in one array map value (R9); ctx in R6. Constructs not yet
// supported in kernel context are compile errors naming the construct (docs/compat.md).
//
// ProbeGen holds one handler's generation state, the prologue, callbacks (bpf_loop and
// for_each_map_elem subprograms sharing the handler's frame) and storage helpers; the rest of
// its methods live by construct in the files imported below (statements.ts, expressions.ts,
// arrays.ts, statistics.ts, strings.ts, calls.ts, target-vars.ts, foreach.ts, output.ts), each
// an object of methods on ProbeGen merged into its prototype. Its members are therefore public,
// but meant for those files only.

import { straightLineCount } from '../../elaborate/straight-line.js';
import type * as A from '../../parse/ast.js';
import type { Token } from '../../parse/token.js';
import { isBuiltinBody, type DerivedProbe, type Func, type Program as Elaborated, type Var } from '../../elaborate/model.js';
import { type Node } from '../../parse/walk.js';
import { Assembler } from '../asm.js';
import { AsmError } from '../error.js';
import { GROUP_READERS } from './regex-plan.js';
import { R0, R8, R1, R2, R3, R4, R6, R7, R9, FP, type Reg, type WReg } from '../insn.js';
import type { MapSpec, ProgramSpec, RecordField, RecordFormat, RecordKind } from '../spec.js';
import { KernelLayout, SCRATCH_MAX } from './layout.js';
import { KernelStrings } from './kstrings.js';
import type { Target } from './targets.js';
import type { Btf } from '../../runtime/meta/btf.js';
import { STATE_OFFSET, ZERO_KEY, EXIT, unsupported, Val, contains, loopRunsAsCallback } from './shared.js';
import { foreachMethods, type ForeachMethods } from './foreach.js';
import { statementsMethods, type StatementsMethods } from './statements.js';
import { expressionsMethods, type ExpressionsMethods } from './expressions.js';
import { arraysMethods, type ArraysMethods } from './arrays.js';
import { statisticsMethods, type StatisticsMethods } from './statistics.js';
import { stringsMethods, type StringsMethods } from './strings.js';
import { callsMethods, type CallsMethods } from './calls.js';
import { targetVarsMethods, type TargetVarsMethods } from './target-vars.js';
import { outputMethods, type OutputMethods } from './output.js';
import { libraryMethods, type LibraryMethods } from './library.js';
import { textEscapeMethods, type TextEscapeMethods } from './text-escape.js';
import { regexMethods, groupReaderMethods, type RegexMethods, type GroupReaderMethods, type RegexSlots } from './regex.js';
import { globalFuncMethods, type GlobalFuncMethods } from './global-funcs.js';

export { DROPPED_OFFSET, REALTIME_OFFSET, STATE_OFFSET, TARGET_OFFSET, histSpecOf } from './shared.js';

/** Built-ins that escape text in a bpf_loop (text-escape.ts). */
const ESCAPING = new Set(['string_quoted', 'text_str', 'text_strn']);

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

/** The methods of the construct files (see the top of this file). */
export interface ProbeGen extends ForeachMethods, StatementsMethods, ExpressionsMethods, ArraysMethods, StatisticsMethods, StringsMethods, CallsMethods, TargetVarsMethods, OutputMethods, LibraryMethods, TextEscapeMethods, RegexMethods, GroupReaderMethods, GlobalFuncMethods {}

export class ProbeGen {
  /** Where code goes: the handler's assembler, or a callback's while one is generated. */
  a = new Assembler<MapSpec, Token>();
  /**
   * The base of the handler's stack frame: FP in the handler itself, R8 in callbacks (their
   * callback_ctx is the handler's frame, so locals and temporaries stay where they were).
   */
  fp: Reg = FP;
  readonly localSlots = new Map<Var, number>();
  stackTop = 16; // bytes of stack in use below fp (fp-8: zero key, fp-16: spare)
  scratchTop = 0;
  /** The most scratch any point of the handler used (statements reuse their temporaries). */
  scratchHigh = 0;
  readonly stringLocals = new Map<Var, number>();
  labels = 0;
  /** String slots, copies and comparisons (kstrings.ts). */
  readonly ks: KernelStrings;
  /** Bytes of a string slot. */
  get SLOT(): number {
    return this.ks.slot;
  }

  constructor(
    readonly prog: Elaborated,
    readonly probe: DerivedProbe,
    readonly layout: KernelLayout,
    readonly records: Records,
    readonly target: Target,
    /** Whether the prologue looks up the scratch area (skipped when the handler needs none). */
    readonly withScratch = true,
    /** MAXACTION: loop iterations a handler may run (stap charges kernel handlers 1000). */
    readonly maxAction = 1000,
    readonly getBtf: () => Btf | null = () => null,
    /** MAXNESTING: how deep function calls may go (recursive ones are expanded that deep). */
    readonly maxNesting = 10,
  ) {
    this.ks = new KernelStrings({
      asm: () => this.a,
      fresh: (h) => this.fresh(h),
      zeros: () => this.layout.constant('\0'.repeat(this.layout.strSlot - 1)),
    }, layout.maxStringLen);
  }

  /** Stack slot of the remaining action budget (only when the handler loops). */
  actionsSlot = 0;
  readonly loops: { brk: string; cont: string }[] = [];
  /** Enclosing try blocks, innermost last: where a catchable run-time error goes. */
  readonly tries: { catchLabel: string; catchVar: Var | null }[] = [];
  /** Synthetic expressions standing for a string already computed into a scratch slot. */
  readonly inScratch = new WeakMap<A.Expr, number>();
  /** Inlined functions being expanded: where `return` stores its value and jumps. */
  readonly inlined: { fn: Func; result: number; end: string; type: Val; next: string; nextUsed: boolean }[] = [];
  /** Callback nesting: 0 in the handler's own code (see `callback`). */
  depth = 0;
  /** The callback depth of each label a jump may leave a callback for (default 0). */
  readonly labelDepth = new Map<string, number>();
  /** In a callback: outer label → the local stub that escapes to it. */
  stubs: Map<string, string> | null = null;
  readonly escapeCodes = new Map<string, number>();
  /** Callback subprograms, laid out after the handler. */
  readonly subprogs: Assembler<MapSpec, Token>[] = [];
  frameSlots: { ctx: number; scratch: number; escape: number } | null = null;
  /**
   * Scratch offset of the action budget while callbacks run. The verifier checks a callback
   * as if called any number of times, converging only on values it does not track exactly: a
   * budget on the stack starts as a known constant and would make it walk every iteration.
   * Read from map memory, the budget is just some number to it.
   */
  callbackBudget = -1;
  /** The entry-deleting callback of `delete a`, one per map (see `clearArray`). */
  readonly clearCallbacks = new Map<MapSpec, string>();
  /** The eviction callbacks of a `%` array, one retry loop per map (see arrays.ts `wrapRetryCallback`). */
  readonly wrapCallbacks = new Map<MapSpec, string>();

  /** The arrays of the foreach loops being generated, outermost first. */
  readonly foreachMaps: MapSpec[] = [];
  /** Global subprograms (global-funcs.ts) the handler calls, by function; those still to generate. */
  readonly globalFuncs = new Map<Func, string>();
  readonly pendingGlobals: Func[] = [];
  /** Where this handler's regular expressions work (regex.ts); null when it has none. */
  regexSlots: RegexSlots | null = null;

  /** While a built-in's script body is inlined (library.ts scriptBody): the built-in's call, where its errors are. */
  builtinCall: Token | null = null;

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
    // As the interpreter (and stap): a loop-free handler longer than its budget fails up front;
    // one with loops or recursion counts its statements as they run.
    const straight = straightLineCount(this.prog, this.probe.body);
    if (straight === null) {
      this.actionsSlot = this.stack(8);
      a.mov64Imm(R1, this.maxAction);
      a.stxDW(this.fp, this.actionsSlot, R1);
    }
    // Callbacks: foreach, heavy for/while loops, regular expressions, a built-in string_quoted, text_str or text_strn
    // (not a script's own function of that name).
    // What the handler (its condition too) holds, following calls.
    const condition: A.Stmt | null = this.probe.condition ? { kind: 'expr_statement', tok: this.probe.tok, value: this.probe.condition } : null;
    const holds = (match: (n: Node) => boolean) => contains(this.probe.body, this.prog, match) || (condition !== null && contains(condition, this.prog, match));
    // A built-in body's loops always run as callbacks (statements.ts forLoop).
    const builtinLoops = (n: Node) => {
      const f = n.kind === 'functioncall' ? this.prog.bindings.calls.get(n) : undefined;
      return !!f?.decl && isBuiltinBody(f) && contains(f.decl.body, this.prog, (m) => m.kind === 'for_loop');
    };
    const callbacks = (n: Node) => n.kind === 'foreach_loop' || n.kind === 'regex_query' || (n.kind === 'for_loop' && loopRunsAsCallback(n, this.prog)) ||
      (n.kind === 'functioncall' && ESCAPING.has(n.name) && !this.prog.bindings.calls.get(n)?.decl) || builtinLoops(n);
    if (holds(callbacks)) {
      // Callbacks find ctx and the scratch pointer here (see `callback`).
      this.frameSlots = { ctx: this.stack(8), scratch: this.stack(8), escape: this.stack(8) };
      a.stxDW(this.fp, this.frameSlots.ctx, R6);
      if (this.withScratch) a.stxDW(this.fp, this.frameSlots.scratch, R7);
      this.callbackBudget = this.scratch(8);
    }
    if (holds((n) => n.kind === 'regex_query' || (n.kind === 'functioncall' && GROUP_READERS.has(n.name)))) this.reserveRegexSlots();
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
    this.generateGlobals();
    for (const sub of this.subprogs) a.append(sub);
    try {
      return { name, probe: this.probe.index, attach: this.target.attach, program: a.link({ pruneUnreachable: true }) };
    } catch (e) {
      // What one BPF program can hold: a handler past it is refused like other constructs.
      if (e instanceof AsmError && /^(too many subprograms|program too large)/.test(e.message)) throw unsupported(`a handler this large (${e.message})`, this.probe.tok);
      throw e;
    }
  }

  // ---- callbacks ------------------------------------------------------------------------

  /** Frame slots every callback needs: the handler's ctx and scratch pointers, the escape code. */
  frame(): { ctx: number; scratch: number; escape: number } {
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
  callback(kind: 'loop' | 'elem', body: () => void): { name: string; escaped: string[] } {
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
  dispatchEscapes(escaped: string[]): void {
    if (escaped.length === 0) return;
    const a = this.a;
    a.ldxDW(R1, this.fp, this.frame().escape);
    for (const label of escaped) a.jmpImm('jeq', R1, this.escapeCodes.get(label)!, this.to(label));
  }

  /** `label` as a jump target from the code being generated: itself, or an escape stub. */
  to(label: string): string {
    if ((this.labelDepth.get(label) ?? 0) >= this.depth) return label;
    let stub = this.stubs!.get(label);
    if (!stub) {
      stub = this.fresh('esc');
      this.stubs!.set(label, stub);
    }
    return stub;
  }

  // ---- storage helpers --------------------------------------------------------------

  fresh(hint: string): string {
    return `${hint}${++this.labels}`;
  }

  stack(bytes: number): number {
    this.stackTop += Math.ceil(bytes / 8) * 8;
    if (this.stackTop > 512) throw unsupported('handlers needing more than 512 bytes of BPF stack', this.probe.tok);
    return -this.stackTop;
  }

  scratch(bytes: number): number {
    const off = this.scratchTop;
    this.scratchTop += Math.ceil(bytes / 8) * 8;
    this.scratchHigh = Math.max(this.scratchHigh, this.scratchTop);
    if (this.scratchTop > SCRATCH_MAX - this.SLOT) throw unsupported('this many string temporaries', this.probe.tok);
    return off;
  }

  /** `dst = lookup(map, &zero)`, leaving the handler if absent. */
  lookupOne(map: MapSpec, dst: WReg): void {
    const a = this.a;
    a.ldMapFd(R1, map);
    a.mov64Reg(R2, this.fp);
    a.alu64Imm('add', R2, ZERO_KEY);
    a.call('map_lookup_elem');
    a.jmpImm('jeq', R0, 0, this.to(EXIT));
    a.mov64Reg(dst, R0);
  }

  /** reg = min(max(reg, lo), hi), signed (also tells the verifier the bounds). */
  clampSigned(reg: WReg, lo: number, hi: number): void {
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

  zeroScratch(off: number, bytes: number): void {
    for (let i = 0; i < bytes; i += 8) this.a.stDW(R7, off + i, 0);
  }

  /** Copies `bytes` from [src+srcOff] to [dst+dstOff] (both 8-byte aligned) through R1. */
  copy(dst: Reg, dstOff: number, src: Reg, srcOff: number, bytes: number): void {
    for (let i = 0; i < bytes; i += 8) {
      this.a.ldxDW(R1, src, srcOff + i);
      this.a.stxDW(dst, dstOff + i, R1);
    }
  }

  /** Like `copy`; a long block (a key with string fields) goes through one helper call. */
  copyBytes(dst: Reg, dstOff: number, src: Reg, srcOff: number, bytes: number): void {
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
  readKernel(src: Reg, srcOff: number, slot: number, bytes: number, zeroed = true): void {
    this.readMemory(src, srcOff, slot, bytes, false, zeroed);
  }

  /** As `readKernel`, from a process's memory (probe_read_user) when `user`. */
  readMemory(src: Reg, srcOff: number, slot: number, bytes: number, user: boolean, zeroed = true): void {
    const a = this.a;
    if (zeroed) a.stDW(this.fp, slot, 0);
    a.mov64Reg(R3, src);
    if (srcOff) a.alu64Imm('add', R3, srcOff);
    a.mov64Reg(R1, this.fp);
    a.alu64Imm('add', R1, slot);
    a.mov64Imm(R2, bytes);
    a.call(user ? 'probe_read_user' : 'probe_read_kernel');
  }

  /** A long (8 bytes) or a string (up to its NUL) from [src+srcOff] to [dst+dstOff]. */
  copyValue(dst: Reg, dstOff: number, src: Reg, srcOff: number, isString: boolean): void {
    if (isString) this.ks.copy(dst, dstOff, src, srcOff);
    else this.copy(dst, dstOff, src, srcOff, 8);
  }
}

Object.assign(ProbeGen.prototype, foreachMethods, statementsMethods, expressionsMethods, arraysMethods, statisticsMethods, stringsMethods, callsMethods, targetVarsMethods, outputMethods, libraryMethods, textEscapeMethods, regexMethods, groupReaderMethods, globalFuncMethods);
