// What compiled handlers call for the parts of the language with a library behind them:
// printing (printf family, histograms), statistics, regex matching, and functions (tapset
// intrinsics plus the interpreter's own: exit, pp, execname...).

import { histOpOf } from '../elaborate/hist-op.js';
import { arrayOverflowMessage } from '../elaborate/runtime-messages.js';
import { ArrayFullError } from './arrays.js';
import type * as A from '../parse/ast.js';
import type { Func, Program, Var } from '../elaborate/model.js';
import { parseFormat, type FormatComponent } from '../parse/format.js';
import { formatSprintf } from '../format/printf.js';
import { compileDirect, compilePrintf, compileSprintf } from '../format/compiled-printf.js';
import { printComponents, printChar } from '../format/print.js';
import { unescapeLiteral } from '../format/escapes.js';
import { StapRuntimeError as FormatError } from '../format/errors.js';
import { formatHistogram, sprintHistogram, histogramBucket, histogramBucketCount } from '../format/hist.js';
import {
  aggregateArrayEntry, aggregateGlobal, linearHist, LOG_HIST, NO_HIST, newStatData, statAdd, statValue,
  type HistSpec, type StatConfig, type StatData, type StatOp,
} from '../format/stats.js';
import { callIntrinsic, createIntrinsicContext, findIntrinsic, StapRuntimeError as IntrinsicError, type IntrinsicContext } from '../intrinsics/index.js';
import type { Context } from './context.js';
import type { Fn, Frame } from './compile-expr.js';
import type { Stmt } from './compile-stmt.js';
import { compiledRegex } from '../regex/compiled.js';
import { RegexSyntaxError } from '../regex/syntax.js';
import { dfaSearch } from '../regex/dfa.js';
import { backtrack } from '../regex/backtrack.js';
import { USER_SYMBOL_FUNCTIONS, userSymbolCall } from '../format/usyms.js';
import { StapError, type Value } from './values.js';
import { hostSession } from '../runtime/meta/host-session.js';

/** A statistic kept per CPU by kernel handlers: aggregated when read, as stap does. */
export interface PerCpuStats {
  perCpu: StatData[];
  /** Writes back a `<<<` made to `perCpu[0]` by an interpreted handler. */
  commit?: () => void;
}

const ALL_STATS: StatConfig = { hist: NO_HIST, ops: new Set<StatOp>(['count', 'sum', 'min', 'max', 'avg']), bitShift: 0 };

export interface NativeOptions {
  suppressWarnings: boolean;
}

/** Functions the interpreter implements itself (they need the session, not just values). */
export const CONTROL_FUNCTIONS: Record<string, { params: ('long' | 'string')[]; ret: 'long' | 'string' | 'unknown' }[]> = {
  exit: [{ params: [], ret: 'unknown' }],
  abort: [{ params: [], ret: 'unknown' }],
  pp: [{ params: [], ret: 'string' }],
  pn: [{ params: [], ret: 'string' }],
  pid: [{ params: [], ret: 'long' }],
  tid: [{ params: [], ret: 'long' }],
  ppid: [{ params: [], ret: 'long' }],
  uid: [{ params: [], ret: 'long' }],
  euid: [{ params: [], ret: 'long' }],
  gid: [{ params: [], ret: 'long' }],
  egid: [{ params: [], ret: 'long' }],
  cpu: [{ params: [], ret: 'long' }],
  execname: [{ params: [], ret: 'string' }],
  pexecname: [{ params: [], ret: 'string' }],
  probefunc: [{ params: [], ret: 'string' }],
  is_return: [{ params: [], ret: 'long' }],
  target: [{ params: [], ret: 'long' }],
  print_backtrace: [{ params: [], ret: 'unknown' }],
  // Memory readers: meaningful in kernel handlers (compiled to probe_read_*).
  user_string: [{ params: ['long'], ret: 'string' }],
  kernel_string: [{ params: ['long'], ret: 'string' }],
  user_string_n: [{ params: ['long', 'long'], ret: 'string' }],
  kernel_string_n: [{ params: ['long', 'long'], ret: 'string' }],
  kernel_string2: [{ params: ['long', 'string'], ret: 'string' }],
  user_string2: [{ params: ['long', 'string'], ret: 'string' }],
  user_long: [{ params: ['long'], ret: 'long' }],
  user_int: [{ params: ['long'], ret: 'long' }],
  user_short: [{ params: ['long'], ret: 'long' }],
  user_char: [{ params: ['long'], ret: 'long' }],
  kernel_long: [{ params: ['long'], ret: 'long' }],
  kernel_int: [{ params: ['long'], ret: 'long' }],
  kernel_short: [{ params: ['long'], ret: 'long' }],
  kernel_char: [{ params: ['long'], ret: 'long' }],
  print_ubacktrace: [{ params: [], ret: 'unknown' }],
  // User stacks and addresses (format/usyms.ts); kernel handlers symbolize in user space.
  ubacktrace: [{ params: [], ret: 'string' }],
  uaddr: [{ params: [], ret: 'long' }],
  usymname: [{ params: ['long'], ret: 'string' }],
  usymdata: [{ params: ['long'], ret: 'string' }],
  umodname: [{ params: ['long'], ret: 'string' }],
  print_usyms: [{ params: ['string'], ret: 'unknown' }],
  print_ustack: [{ params: ['string'], ret: 'unknown' }],
  sprint_usyms: [{ params: ['string'], ret: 'string' }],
  sprint_ustack: [{ params: ['string'], ret: 'string' }],
  user_mode: [{ params: [], ret: 'long' }],
  task_current: [{ params: [], ret: 'long' }],
  pid2task: [{ params: ['long'], ret: 'long' }],
  cmdline_str: [{ params: [], ret: 'string' }],
  // Arguments of the probed system call (syscall and nd_syscall probes).
  ...Object.fromEntries(['int', 'uint', 'long', 'ulong', 'pointer', 's32', 'u32', 's64', 'u64', 'longlong', 'ulonglong']
    .map((k) => [`${k}_arg`, [{ params: ['long'], ret: 'long' }]])),
  asmlinkage: [{ params: [], ret: 'unknown' }],
};

export class Natives {
  private readonly statConfigs = new Map<Var, StatConfig>();
  private readonly ictx: IntrinsicContext;
  private out = '';

  constructor(private readonly ctx: Context, private readonly program: Program, _opts: NativeOptions) {
    this.ictx = createIntrinsicContext({
      maxStringLen: ctx.limits.maxStringLen,
      print: (s) => this.print(s),
      warn: (m) => this.warn(m),
      session: hostSession(),
    });
  }

  print(s: string): void {
    this.out += s;
    if (this.out.length > 65536) this.flush();
  }

  flush(): void {
    if (this.out) this.ctx.out(this.out);
    this.out = '';
  }

  /** Where warn() messages go (the session dedupes them and honours -w). */
  onWarning: (msg: string) => void = () => {};

  warn(msg: string): void {
    this.onWarning(msg);
  }

  // ---- statistics -----------------------------------------------------------

  statConfig(v: Var): StatConfig {
    let cfg = this.statConfigs.get(v);
    if (cfg) return cfg;
    let hist: HistSpec = NO_HIST;
    const h = histOpOf(this.program, v);
    if (h?.htype === 'log') hist = LOG_HIST;
    if (h?.htype === 'linear') {
      const spec = linearHist(h.params[0]!, h.params[1]!, h.params[2]!);
      if ('warning' in spec) throw new StapError(spec.warning.trimEnd(), h.tok);
      hist = spec;
    }
    const ops = new Set<StatOp>([...v.statOps].filter((o) => !o.startsWith('@hist')).map((o) => o.slice(1) as StatOp));
    cfg = { hist, ops, bitShift: v.varianceShift ?? 0 };
    this.statConfigs.set(v, cfg);
    return cfg;
  }

  newStat(v: Var): StatData {
    return newStatData(this.statConfig(v));
  }

  /**
   * The aggregate a reader sees: stap's aggregation arithmetic over the per-CPU accumulators
   * (one for statistics the interpreter keeps, one per CPU for those kernel handlers write).
   */
  private read(v: Var, sd: StatData | PerCpuStats | null, isArray: boolean): StatData | null {
    const cfg = this.statConfig(v);
    const cpus = sd === null ? [] : 'perCpu' in sd ? sd.perCpu : [sd];
    if (isArray) return aggregateArrayEntry(cfg, cpus.filter((c) => c.count !== 0n));
    return aggregateGlobal(cfg, cpus);
  }

  private statVar(e: A.Expr): { v: Var; isArray: boolean } {
    const sym = e.kind === 'symbol' ? e : (e as A.ArrayIndex).base as A.SymbolExpr;
    return { v: this.program.bindings.vars.get(sym)!, isArray: e.kind === 'arrayindex' };
  }

  statAdd(e: A.AssignmentExpr, slot: (f: Frame) => StatData | PerCpuStats, rhs: Fn): Fn {
    const { v } = this.statVar(e.left);
    const cfg = this.statConfig(v);
    const tok = e.left.kind === 'arrayindex' ? e.left.base.tok : e.tok;
    return (f) => {
      const sd = slot(f);
      const x = rhs(f) as bigint;
      if ('perCpu' in sd) {
        // Kept by the kernel (shared with a kernel handler): added to the first CPU's copy.
        statAdd(cfg, sd.perCpu[0]!, x);
        try {
          sd.commit!();
        } catch (err) {
          if (err instanceof ArrayFullError) throw new StapError(arrayOverflowMessage(v), tok);
          throw err;
        }
      } else statAdd(cfg, sd, x);
      return x;
    };
  }

  statOp(e: A.StatOp, agg: (f: Frame) => StatData | null): Fn {
    const { v, isArray } = this.statVar(e.stat);
    const op = e.ctype as StatOp;
    const tok = e.tok;
    return (f) => this.guard(tok, () => statValue(this.read(v, agg(f), isArray), op));
  }

  aggregateValue(sd: StatData | PerCpuStats, which: A.StatKind): bigint {
    try {
      const one = 'perCpu' in sd ? aggregateArrayEntry(ALL_STATS, sd.perCpu.filter((c) => c.count !== 0n)) : sd;
      return statValue(one, which as StatOp);
    } catch {
      return 0n;
    }
  }

  histBucket(h: A.HistOp, agg: (f: Frame) => StatData | null, index: Fn): Fn {
    const { v, isArray } = this.statVar(h.stat);
    return (f) => this.guard(h.tok, () => histogramBucket(this.statConfig(v).hist, this.read(v, agg(f), isArray), index(f) as bigint));
  }

  histIn(h: A.HistOp, agg: (f: Frame) => StatData | null, index: Fn): Fn {
    const { v, isArray } = this.statVar(h.stat);
    return (f) => {
      const a = this.read(v, agg(f), isArray);
      const i = index(f) as bigint;
      return a && i >= 0n && i < BigInt(histogramBucketCount(this.statConfig(v).hist)) && a.histogram[Number(i)]! > 0n ? 1n : 0n;
    };
  }

  foreachHist(
    s: A.ForeachLoop, body: Stmt, idx: ((f: Frame, c: (o: Value) => Value) => Value)[],
    value: ((f: Frame, c: (o: Value) => Value) => Value) | null, limit: Fn | null, agg: (f: Frame) => StatData | null,
  ): Stmt {
    const h = s.base as A.HistOp;
    const { v, isArray } = this.statVar(h.stat);
    return (f) => {
      const a = this.read(v, agg(f), isArray);
      if (!a) return 0;
      let n = limit ? (limit(f) as bigint) : -1n;
      for (let i = 0; i < a.histogram.length; i++) {
        // As stap: every bucket 0..n-1 is visited, empty ones too.
        const count = a.histogram[i]!;
        if (n >= 0n && n-- === 0n) break;
        idx[0]?.(f, () => BigInt(i));
        value?.(f, () => count);
        const c = body(f);
        if (c === 1) break;
        if (c === 3) return c;
      }
      return 0;
    };
  }

  // ---- printing -------------------------------------------------------------

  printFormat(e: A.PrintFormat, args: Fn[], hist: ((f: Frame) => StatData | null) | null): Fn {
    const maxStringLen = this.ctx.limits.maxStringLen;
    const tok = e.tok;
    if (e.hist && hist) {
      const { v, isArray } = this.statVar(e.hist.stat);
      return (f) => this.guard(tok, () => {
        const a = this.read(v, hist(f), isArray);
        const spec = this.statConfig(v).hist;
        if (!e.stream) return sprintHistogram(spec, a, { maxStringLen });
        this.print(formatHistogram(spec, a));
        return 0n;
      });
    }
    if (e.isChar) {
      const a0 = args[0]!;
      return (f) => {
        this.print(printChar(a0(f) as bigint));
        return 0n;
      };
    }
    let components: FormatComponent[] | null = null;
    if (e.withFormat) components = parseFormat(e.format!);
    const kinds = e.args.map((a) => (this.program.bindings.types.get(a) === 'string' ? 'string' : 'long') as 'long' | 'string');
    if (!components) {
      components = printComponents(kinds, {
        ...(e.withDelim ? { delimiter: e.delimiter! } : {}),
        newline: e.withNewline,
      });
    }
    const comps = components;
    const n = args.length;
    if (e.stream) {
      const render = compilePrintf(comps);
      const direct = compileDirect(comps, args, null, (vals) => this.guard(tok, () => render(vals)));
      if (direct) {
        // print() inline: one call fewer per printf while the code is still cold. The line
        // first: its arguments may print themselves (`println(f())` with f printing).
        return (f) => {
          const s = direct(f);
          this.out += s;
          if (this.out.length > 65536) this.flush();
          return 0n;
        };
      }
      return (f) => {
        const vals: Value[] = new Array(n);
        for (let i = 0; i < n; i++) vals[i] = args[i]!(f);
        this.print(this.guard(tok, () => render(vals)));
        return 0n;
      };
    }
    const render = compileSprintf(comps, (vals) => formatSprintf(comps, vals, { maxStringLen }), maxStringLen);
    const direct = compileDirect(comps, args, maxStringLen, (vals) => this.guard(tok, () => render(vals)));
    if (direct) return direct;
    return (f) => {
      const vals: Value[] = new Array(n);
      for (let i = 0; i < n; i++) vals[i] = args[i]!(f);
      return this.guard(tok, () => render(vals));
    };
  }

  /** Prints a printf-family call whose arguments a kernel handler evaluated (a ring record). */
  printRecord(e: A.PrintFormat, values: Value[], deferred?: (string | null)[]): void {
    if (deferred) values = this.applyDeferred(e, values, deferred);
    let render = this.recordRenderers.get(e);
    if (!render) {
      const kinds = values.map((v) => (typeof v === 'string' ? 'string' : 'long') as 'long' | 'string');
      const comps = e.withFormat ? parseFormat(e.format!) : printComponents(kinds, {
        ...(e.withDelim ? { delimiter: e.delimiter! } : {}),
        newline: e.withNewline,
      });
      render = compilePrintf(comps);
      this.recordRenderers.set(e, render);
    }
    this.print(render(values));
  }

  private readonly recordRenderers = new Map<A.PrintFormat, (args: readonly Value[]) => string>();

  /** A kernel record's values with the deferred built-ins applied (bpf/codegen/deferred.ts). */
  private applyDeferred(e: A.PrintFormat, values: Value[], deferred: (string | null)[]): Value[] {
    const out: Value[] = [];
    let next = 0;
    e.args.forEach((arg, i) => {
      const name = deferred[i];
      if (!name) {
        out.push(values[next++]!);
        return;
      }
      const n = (arg as A.FunctionCall).args.length;
      try {
        // A built-in without a value (ansi_*) prints by itself, and shows as "".
        out.push(callIntrinsic(this.ictx, name, ...values.slice(next, next + n)) ?? '');
      } catch (err) {
        // Reported against the call, as the interpreter reports it.
        if (err instanceof IntrinsicError) throw new StapError(err.message, arg.tok);
        throw err;
      }
      next += n;
    });
    return out;
  }

  // ---- regular expressions ------------------------------------------------------

  regex(e: A.RegexQuery, left: Fn): Fn {
    // Pass 2 (typecheck.ts) reports a syntax error first; this is a safeguard.
    let re;
    try {
      re = compiledRegex(unescapeLiteral(e.right.value));
    } catch (err) {
      if (err instanceof RegexSyntaxError) throw new StapError(err.report, e.right.tok);
      throw err;
    }
    const { program, dfa } = re;
    const negate = e.op === '!~';
    return (f) => {
      const subject = left(f) as string;
      const result = dfa ? dfaSearch(dfa, subject) : backtrack(program, subject) !== null;
      // Where the groups are is only worked out when matched() asks.
      let caps: Int32Array | null = null;
      const group = (n: number): [number, number] => {
        caps ??= backtrack(program, subject)!;
        return [caps[2 * n]!, caps[2 * n + 1]!];
      };
      this.ictx.state.lastMatch = { result, subject, count: program.groups, group };
      return result !== negate ? 1n : 0n;
    };
  }

  // ---- functions ----------------------------------------------------------------

  intrinsic(e: A.FunctionCall, fn: Func, args: Fn[]): Fn {
    const tok = e.tok;
    const ctl = this.control(e.name, args.length, args, tok);
    if (ctl) return ctl;
    const impl = findIntrinsic(fn.name, args.length);
    if (!impl) {
      return () => {
        throw new StapError(`function ${fn.name} is not available in tstap yet`, tok);
      };
    }
    const n = args.length;
    const ictx = this.ictx;
    return (f) => {
      const vals: Value[] = new Array(n);
      for (let i = 0; i < n; i++) vals[i] = args[i]!(f);
      try {
        const r = impl.impl(ictx, vals);
        return r === undefined ? 0n : r;
      } catch (err) {
        if (err instanceof IntrinsicError) throw new StapError(err.message, err.withLocation ? tok : null);
        throw err;
      }
    };
  }

  private control(name: string, nargs: number, args: Fn[] = [], tok: A.Expr['tok'] | null = null): Fn | null {
    const ctx = this.ctx;
    switch (`${name}/${nargs}`) {
      case 'exit/0': return () => {
        ctx.onExit();
        return 0n;
      };
      case 'abort/0': return () => {
        ctx.onExit();
        throw new StapError('abort', null, 'exit-hard');
      };
      case 'pp/0': return () => ctx.probePoint;
      case 'pn/0': return () => ctx.probePoint;
      case 'pid/0': case 'tid/0': return () => BigInt(process.pid);
      case 'ppid/0': return () => BigInt(process.ppid);
      case 'uid/0': case 'euid/0': return () => BigInt(process.getuid?.() ?? 0);
      case 'gid/0': case 'egid/0': return () => BigInt(process.getgid?.() ?? 0);
      case 'cpu/0': return () => 0n;
      case 'execname/0': case 'pexecname/0': return () => 'stapio';
      case 'probefunc/0': return () => '';
      case 'is_return/0': case 'user_mode/0': return () => 0n;
      case 'target/0': return () => BigInt(ctx.targetPid);
      // In begin/end/timer handlers there is no probed kernel context to unwind.
      case 'print_backtrace/0': case 'print_ubacktrace/0': return () => 0n;
      // Nor a user stack: ubacktrace() is "" and uaddr() 0, as stap's where it cannot unwind.
      case 'ubacktrace/0': return () => '';
      case 'uaddr/0': return () => 0n;
    }
    if (USER_SYMBOL_FUNCTIONS.has(name)) return this.userSymbols(name, args, tok);
    if (name === 'asmlinkage') return () => 0n;
    if (/^(user|kernel)_(string|string_n|string2|long|int|short|char)$/.test(name) || name.endsWith('_arg') || name === 'task_current' || name === 'pid2task' || name === 'cmdline_str') {
      // stap reads memory in the probed context; begin/end/timer handlers have none to read.
      return () => {
        throw new StapError(`${name}(): no probed process or kernel context in this handler`, null);
      };
    }
    return null;
  }

  // usymname() and kin with no process to look addresses up in: every address is unknown.
  private userSymbols(name: string, args: Fn[], tok: A.Expr['tok'] | null): Fn {
    const max = this.ctx.limits.maxStringLen;
    return (f) => {
      const vals = args.map((x) => x(f));
      let r: string;
      try {
        r = userSymbolCall(name, vals, () => undefined, max);
      } catch (err) {
        throw new StapError((err as Error).message, tok);
      }
      if (!name.startsWith('print_')) return r;
      this.print(r);
      return 0n;
    };
  }

  /** Runs `fn`, turning the format/stat library's errors into located run-time errors. */
  private guard<T>(tok: A.Expr['tok'], fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof FormatError) throw new StapError(err.message, tok);
      throw err;
    }
  }
}

/** Signatures of the interpreter's own functions, for the elaborator. */
export function controlSignature(name: string, nargs: number): { params: ('long' | 'string')[]; ret: 'long' | 'string' | 'unknown' } | null {
  const sigs = CONTROL_FUNCTIONS[name];
  if (!sigs) return null;
  return (nargs < 0 ? sigs[0] : sigs.find((s) => s.params.length === nargs)) ?? null;
}
