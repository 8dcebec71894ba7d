// Running a script in user space: begin probes in sequence order, timers, end probes; exit(),
// -T, SIGINT/SIGTERM; run-time errors reported as stap does, with MAXERRORS; exit status.

import type { DerivedProbe, Program } from '../elaborate/model.js';
import type * as A from '../parse/ast.js';
import type { Token } from '../parse/token.js';
import type { Var } from '../elaborate/model.js';
import type { Cell } from './context.js';
import type { Value } from './values.js';
import { describeToken } from '../parse/token.js';
import { Compiler, NEXT_EXC } from './compile-stmt.js';
import { Context, type Limits } from './context.js';
import { Natives } from './natives.js';
import { printKernelHistogram } from './kernel-histogram.js';
import { StapError } from './values.js';

export interface RunOptions {
  limits: Limits;
  out: (s: string) => void;
  err: (s: string) => void;
  args: string[];
  suppressWarnings: boolean;
  /** The kernel half of the script (kernel probes), when it has one. */
  kernel: KernelHooks | null;
  /** -x PID. */
  targetPid: number | null;
  command: TargetCommand | null;
}

/**
 * What the session needs of the kernel runtime (implemented in src/runtime/kernel): arm the
 * kernel handlers, storage for shared globals, their records, and teardown.
 */
export interface KernelHooks {
  /** Creates the maps and loads the programs (before any handler runs). */
  prepare(): Promise<void>;
  /** Attaches the kernel handlers (after the begin probes, as stap arms them). */
  start(): Promise<void>;
  cell(v: Var): Cell | null;
  /** Delivers pending records: printf output, exit(), run-time errors. */
  poll(sink: { printf(call: number, values: Value[], deferred?: (string | null)[]): void; text(s: string): void; exit(): void; error(message: string, tok: Token | null): void }): number;
  /** Detaches the handlers (records still pending are delivered by a last poll). */
  stop(): Promise<void>;
  /** Releases maps and everything else. */
  close(): Promise<void>;
  /** Records the ring buffer had no room for. */
  dropped(): bigint;
  printCall(index: number): A.PrintFormat;
  setTarget(pid: number): void;
  /** The session state kernel handlers see: 0 running, 1 stopping, 2 error. */
  setState(state: number): void;
  /** --runtime=bpf: whether probe `index`'s handler runs in the kernel via BPF_PROG_TEST_RUN. */
  hasTestRun(index: number): boolean;
  testRun(index: number): void;
}

/**
 * -c CMD: spawned held back as the session starts (its pid is target() from the begin probes
 * on, as stap's), let run once the probes are armed; the session ends when it exits.
 */
export interface TargetCommand {
  /** Starts the command held back (so its pid is known before it runs). */
  start(): number;
  /** Lets it run. */
  release(): void;
  /** Kills it before it ran (the session failed or ended first). */
  cancel(): void;
  onExit(cb: () => void): void;
}

interface Handler {
  probe: DerivedProbe;
  run: () => void;
}

function sequence(p: DerivedProbe): bigint {
  const v = p.site.params[p.site.family];
  return typeof v === 'bigint' ? v : 0n;
}

type State = 'starting' | 'running' | 'stopping' | 'error';

/** Probe families whose handlers the interpreter runs; the rest run in the kernel. */
const USER_FAMILIES = /^(begin|end|error|never|timer\.(s|sec|ms|msec|us|usec|ns|nsec|hz|jiffies))$/;

/** Runs `program`; resolves with the exit status. */
export async function runProgram(program: Program, opts: RunOptions): Promise<number> {
  // A signal during start-up (programs loading, begin running) still ends the run cleanly:
  // it is noted here and honoured once the session is running.
  let interrupted = false;
  const onEarlySignal = () => {
    interrupted = true;
  };
  process.on('SIGINT', onEarlySignal);
  process.on('SIGTERM', onEarlySignal);
  // Spawned first: its shell starts while the probes load, and target() is set for begin.
  const held = opts.command ? { pid: opts.command.start(), released: false } : null;
  try {
    return await runSession(program, opts, () => interrupted, held);
  } finally {
    if (held && !held.released) opts.command!.cancel();
    process.off('SIGINT', onEarlySignal);
    process.off('SIGTERM', onEarlySignal);
  }
}

async function runSession(program: Program, opts: RunOptions, interrupted: () => boolean, held: { pid: number; released: boolean } | null): Promise<number> {
  const ctx = new Context(opts.limits, opts.out, opts.err);
  const natives = new Natives(ctx, program, opts);
  const compiler = new Compiler(program, ctx, natives);
  const kernel = opts.kernel;
  if (kernel) {
    await kernel.prepare();
    ctx.external = (v) => kernel.cell(v);
    compiler.initExternalGlobals();
  }
  // Where records from kernel handlers go.
  const sink = {
    printf: (call: number, values: Value[], deferred?: (string | null)[]) => {
      const e = kernel!.printCall(call);
      try {
        if (e.hist) printKernelHistogram(program, compiler, e, values);
        else natives.printRecord(e, values, deferred);
      } catch (err) {
        // A deferred built-in (ctime of a date out of range...) failing: a run-time error of
        // the call, as if the kernel handler had raised it (never inside a try: see deferred.ts).
        if (!(err instanceof StapError)) throw err;
        reportError(err);
      }
    },
    text: (t: string) => natives.print(t),
    exit: () => ctx.onExit(),
    error: (message: string, tok: Token | null) => reportError(new StapError(message, tok)),
  };
  const budget = (p: DerivedProbe) => (p.site.family.startsWith('timer.') ? opts.limits.maxActionTimer : opts.limits.maxAction);
  const userProbes = program.probes.filter((p) => USER_FAMILIES.test(p.site.family));
  const inKernel = (p: DerivedProbe) => kernel?.hasTestRun(p.index) ?? false;
  const handlers = userProbes.map((probe): Handler => ({
    probe,
    // --runtime=bpf: compiled handlers run once in the kernel; their records are handled at once.
    // The kernel state flag is reset first: an earlier end handler's exit() must not silence
    // the next one (every end probe runs, as in stap).
    run: inKernel(probe) ? () => {
      kernel!.setState(0);
      kernel!.testRun(probe.index);
      kernel!.poll(sink);
    } : compiler.probe(probe, budget(probe)),
  }));
  const byFamily = (fam: string) =>
    handlers.filter((h) => h.probe.site.family === fam)
      .sort((a, b) => (sequence(a.probe) < sequence(b.probe) ? -1 : sequence(a.probe) > sequence(b.probe) ? 1 : a.probe.index - b.probe.index));
  const conditions = new Map(handlers.map((h) => [h, h.probe.condition ? compiler.expr(h.probe.condition) : null]));
  // stap's session states: each probe family only runs in its state (tapset-been.cxx).
  const sess: { state: State } = { state: 'starting' };
  const warnings = new Set<string>();
  const warn = (msg: string) => {
    // staprun drops repeated WARNING lines; -w drops them all.
    if (opts.suppressWarnings || warnings.has(msg)) return;
    warnings.add(msg);
    natives.flush();
    opts.err(`WARNING: ${msg}\n`);
  };
  natives.onWarning = warn;
  const target = held?.pid ?? opts.targetPid;
  ctx.targetPid = target ?? 0;
  if (kernel && target !== null) kernel.setTarget(target);

  const fire = (h: Handler): void => {
    const cond = conditions.get(h);
    ctx.actions = 0;
    ctx.actionLimit = budget(h.probe);
    ctx.depth = 0;
    ctx.probePoint = h.probe.site.point;
    try {
      if (cond && cond([]) === 0n) return;
      h.run();
    } catch (e) {
      if (e === NEXT_EXC) return;
      if (!(e instanceof StapError)) throw e;
      if (e.kind === 'exit-hard') return; // abort(): the handler just stops
      reportError(e);
    } finally {
      natives.flush();
    }
  };

  const reportError = (e: StapError): void => {
    ctx.errors++;
    natives.flush();
    const near = e.tok ? ` near ${describeToken(e.tok)}` : '';
    opts.err(`ERROR: ${e.message}${near}\n`);
    if (ctx.errors > opts.limits.maxErrors) sess.state = 'error';
  };
  ctx.onExit = () => {
    if (sess.state === 'starting' || sess.state === 'running') sess.state = 'stopping';
  };

  for (const h of byFamily('begin')) if (sess.state === 'starting') fire(h);
  if (sess.state === 'starting') {
    sess.state = 'running';
    let poller: ReturnType<typeof setTimeout> | null = null;
    if (kernel) {
      await kernel.start();
      // Records are drained on a timer: every 10 ms while quiet, at once again while busy
      // (kernel-facts §5: polling beats a wakeup per record by far).
      const drain = () => {
        const n = kernel.poll(sink);
        natives.flush();
        poller = setTimeout(drain, n > 0 ? 0 : 10);
      };
      poller = setTimeout(drain, 10);
    }
    if (opts.command && held) {
      // stap lets the -c command run once everything is armed, and stops when it exits.
      held.released = true;
      opts.command.release();
      opts.command.onExit(() => {
        if (kernel) kernel.poll(sink);
        ctx.onExit();
      });
    }
    await runTimers(handlers.filter((h) => h.probe.site.family.startsWith('timer.')), ctx, (h) => {
      if (sess.state === 'running') fire(h);
    }, () => sess.state !== 'running' || interrupted());
    if (sess.state === 'running') sess.state = 'stopping';
    if (kernel) {
      if (poller) clearTimeout(poller);
      await kernel.stop();
      kernel.poll(sink);
    }
  }
  for (const h of byFamily('end')) if (sess.state === 'stopping') fire(h);
  if (sess.state === 'error') for (const h of byFamily('error')) fire(h);
  natives.flush();
  if (kernel) {
    const dropped = kernel.dropped();
    if (dropped > 0n) warn(`Number of dropped records (ring buffer full): ${dropped}`);
    await kernel.close();
  }
  if (ctx.errors > 0) {
    warn(`Number of errors: ${ctx.errors}, skipped probes: 0`);
    warn('/usr/bin/staprun exited with status: 1');
    opts.err('Pass 5: run failed.  [man error::pass5]\n');
    return 1;
  }
  return 0;
}

/** Runs timer probes until exit() or -T or a signal. */
async function runTimers(
  handlers: Handler[],
  ctx: Context,
  fire: (h: Handler) => void,
  stopping: () => boolean,
): Promise<void> {
  const timers = handlers.filter((h) => h.probe.site.family.startsWith('timer.'));
  return new Promise<void>((resolve) => {
    const cleanups: (() => void)[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      for (const c of cleanups) c();
      resolve();
    };
    const check = setInterval(() => {
      if (stopping()) finish();
    }, 5);
    cleanups.push(() => clearInterval(check));
    for (const h of timers) {
      const periodNs = timerPeriodNs(h.probe);
      const rnd = h.probe.site.params['randomize'];
      const jitter = typeof rnd === 'bigint' ? Number(rnd) : 0;
      const unitNs = periodNs / BigInt(Math.max(1, Number(h.probe.site.params[unitName(h.probe)] ?? 1n)));
      let cancelled = false;
      const schedule = () => {
        const extra = jitter ? Math.floor(Math.random() * (2 * jitter + 1)) - jitter : 0;
        const ms = Math.max(0, Number(periodNs + BigInt(extra) * unitNs) / 1e6);
        const t = setTimeout(() => {
          if (cancelled || done) return;
          fire(h);
          if (stopping()) finish();
          else schedule();
        }, ms);
        cleanups.push(() => clearTimeout(t));
      };
      cleanups.push(() => (cancelled = true));
      schedule();
    }
    const onSignal = () => finish();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    cleanups.push(() => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
    // As stap: without exit(), -T or a signal, the session runs on (even with no timers).
  });
}

function unitName(p: DerivedProbe): string {
  return p.site.family.slice('timer.'.length);
}

const HZ = 250n;

function timerPeriodNs(p: DerivedProbe): bigint {
  const unit = unitName(p);
  const n = p.site.params[unit] as bigint;
  switch (unit) {
    case 's': case 'sec': return n * 1_000_000_000n;
    case 'ms': case 'msec': return n * 1_000_000n;
    case 'us': case 'usec': return n * 1_000n;
    case 'ns': case 'nsec': return n;
    case 'hz': return 1_000_000_000n / (n > 0n ? n : 1n);
    case 'jiffies': return (n * 1_000_000_000n) / HZ;
  }
  return 1_000_000_000n;
}
