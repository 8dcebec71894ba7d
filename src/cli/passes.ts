// Passes 2 and 5 for the command line: elaborate (with the tapset library), print -p2,
// run in the user-space interpreter with stap's -D limits.

import { pruneDeadComputations } from '../elaborate/prune-dead.js';
import { lowerForKernel } from '../elaborate/kernel-lowering.js';
import { SourceFile } from '../diag/source.js';
import { elaborate } from '../elaborate/elaborate.js';
import { Library } from '../elaborate/library.js';
import type { DerivedProbe, Program } from '../elaborate/model.js';
import { defaultMaxNesting } from '../elaborate/nesting.js';
import { printProgram } from '../elaborate/print.js';
import type { IntrinsicLookup } from '../elaborate/resolve.js';
import { intrinsicSignature } from '../intrinsics/index.js';
import type { StapFile } from '../parse/ast.js';
import type { ParseEnv } from '../parse/env.js';
import { Parser } from '../parse/parser.js';
import type { Limits } from '../interp/context.js';
import { controlSignature } from '../interp/natives.js';
import { runProgram, type KernelHooks } from '../interp/session.js';
import type { Options } from './options.js';
import { spawn, type ChildProcess } from 'node:child_process';
import type { TargetCommand } from '../interp/session.js';
import { compileKernel, isKernelProbe, type KernelBuild } from '../bpf/codegen/compile.js';
import { disassembleProgram } from '../bpf/disasm.js';
import { vmlinuxBtfOrNull } from '../runtime/meta/btf.js';
import { kernelHooks } from '../runtime/kernel/hooks.js';
import { ensureTracefs } from '../runtime/sys/tracefs-mount.js';
import { Features } from '../runtime/sys/features.js';
import type { FunctionAttach } from '../bpf/codegen/targets.js';
import { koffiSys } from '../runtime/sys/koffi-sys.js';
import { numPossibleCpus } from '../runtime/sys/cpus.js';

/** Functions implemented natively: the interpreter's own, then the intrinsic library. */
export const intrinsicLookup: IntrinsicLookup = (name, nargs) => {
  const c = controlSignature(name, nargs);
  if (c) return { params: c.params, ret: c.ret };
  const i = intrinsicSignature(name, nargs);
  return i ? { params: i.params.map((p) => p.type), names: i.params.map((p) => p.name), ret: i.ret } : null;
};

export function runPass2(files: StapFile[], env: ParseEnv, includePath: string[], o: Options): Program | null {
  const library = new Library(includePath, env);
  return elaborate(files, {
    reporter: env.reporter, library, intrinsics: intrinsicLookup, unoptimized: o.skipOptimize,
    timeoutMs: o.timeout === null ? null : Math.round(o.timeout * 1000),
    synthesize: (code, tok) => {
      const src = new SourceFile(tok ? tok.file.name : '<synthetic>', code);
      src.synthetic = true;
      const f = new Parser(src, env, { privileged: true, userFile: false }).parseFile();
      return f?.probes[0] ?? null;
    },
  });
}

export function dumpProgram(p: Program): string {
  return printProgram(p);
}

/** Limits from stap's defaults and -D NAME=VALUE. */
export function limitsFor(o: Options, p: Program): Limits {
  const d = new Map<string, number>();
  for (const def of o.defines) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(def);
    if (m && m[2] !== undefined && /^-?\d+$/.test(m[2])) d.set(m[1]!, Number(m[2]));
  }
  const maxAction = d.get('MAXACTION') ?? 1000;
  return {
    maxAction: d.get('MAXACTION_INTERRUPTIBLE') ?? maxAction * 10,
    maxActionTimer: maxAction,
    maxStringLen: d.get('MAXSTRINGLEN') ?? 512,
    maxMapEntries: d.get('MAXMAPENTRIES') ?? 2048,
    maxNesting: d.get('MAXNESTING') ?? defaultMaxNesting(p),
    maxErrors: d.get('MAXERRORS') ?? 0,
    maxSkipped: d.get('MAXSKIPPED') ?? 100,
  };
}

/**
 * -c CMD through /bin/sh, output straight to ours. As stap, the command is held until the
 * session has its pid in place (target()): the shell waits on a pipe before exec'ing it.
 */
function shellCommand(cmd: string): TargetCommand {
  let child: ChildProcess | null = null;
  let exited = false;
  const exits: (() => void)[] = [];
  return {
    start() {
      child = spawn('/bin/sh', ['-c', `read _ <&3; exec 3<&-; exec ${cmd}`], { stdio: ['inherit', 'inherit', 'inherit', 'pipe'] });
      child.on('exit', () => {
        exited = true;
        exits.forEach((f) => f());
      });
      return child.pid ?? 0;
    },
    release() {
      const go = child?.stdio[3];
      if (!go || !('end' in go)) return;
      // The shell may be gone already (a syntax error in CMD): its exit ends the run, not EPIPE.
      go.on('error', () => {});
      (go as NodeJS.WritableStream).end('\n');
    },
    cancel() {
      child?.kill('SIGKILL');
    },
    onExit(cb) {
      // Held since the session started, the shell may be gone before anyone listens (killed).
      if (exited) cb();
      else exits.push(cb);
    },
  };
}

/** Passes 3-4 for kernel probes: eBPF programs and maps (null when every probe runs in user space). */
export function buildKernel(p: Program, o: Options, verbose: (line: string) => void = () => {}): KernelBuild | null {
  const allInKernel = o.runtime === 'bpf';
  if (!allInKernel && !p.probes.some(isKernelProbe)) return null;
  // Tracepoint formats (and classic attachment) need tracefs: mount it if this is a fresh box.
  if (process.getuid?.() === 0) {
    try {
      ensureTracefs(koffiSys());
    } catch {
      // Reported where a tracepoint format is needed; BTF-typed tracepoints work without it.
    }
  }
  // Tapset variables a handler never reads cost nothing per event (-u keeps everything, as stap).
  const kernelProbes = p.probes.filter((x) => allInKernel || isKernelProbe(x));
  if (!o.skipOptimize) pruneDeadComputations(p, kernelProbes);
  lowerForKernel(p, kernelProbes);
  const getBtf = () => vmlinuxBtfOrNull();
  const limits = limitsFor(o, p);
  return compileKernel(p, getBtf, limits.maxMapEntries, limits.maxActionTimer,
    { userHandlersInKernel: allInKernel, maxActionUser: limits.maxAction, maxStringLen: limits.maxStringLen, maxNesting: limits.maxNesting,
      possibleCpus: numPossibleCpus(), functionAttach: functionAttachOnce(), onInterpreted: (pr, why) => verbose(interpretedNote(pr, why)) });
}

/** The -v line for a begin/end handler that runs in the interpreter under --runtime=bpf. */
function interpretedNote(pr: DerivedProbe, why: string): string {
  return `Pass 4: ${pr.userPoint} at ${pr.tok.file.name}:${pr.tok.line}:${pr.tok.col} runs in the interpreter: ${why}\n`;
}

/**
 * How kernel.function probes attach on this machine, found out once and only when a script has
 * one: fentry/fexit, else kprobes where the kernel has them (else fentry, whose load then says
 * why neither works). TSTAP_FUNCTION_ATTACH=kprobe|fentry forces the choice (tests, -p3).
 */
function functionAttachOnce(): () => FunctionAttach {
  let choice: FunctionAttach | null = null;
  return () => {
    if (choice) return choice;
    const forced = process.env['TSTAP_FUNCTION_ATTACH'];
    choice = 'fentry';
    if (forced === 'kprobe' || forced === 'fentry') choice = forced;
    else if (process.getuid?.() === 0) {
      try {
        const btf = vmlinuxBtfOrNull();
        const features = new Features(koffiSys(), btf ? { btf: (name, kind) => btf.find(kind, name) } : {});
        if (!features.check('fentry').available && features.check('kprobe').available) choice = 'kprobe';
      } catch {
        // fentry it is; the load reports what is missing
      }
    }
    return choice;
  };
}

/** -p3: the generated programs, disassembled with their script lines. */
export function disassembleKernel(k: KernelBuild): string {
  const where = (a: KernelBuild['spec']['programs'][number]['attach']) =>
    a.kind === 'tp_btf' ? a.tracepoint : a.kind === 'tracepoint' ? `${a.category}:${a.name}`
      : a.kind === 'function' ? `${a.func}${a.ret ? ' (return)' : ''}`
      : a.kind === 'kprobe' ? `${a.func}${a.ret ? ' (kretprobe)' : ' (kprobe)'}`
      : a.kind === 'perf' ? `${a.event} every ${a.sample} events per CPU`
      : a.kind === 'test_run' ? 'run once with BPF_PROG_TEST_RUN'
      : a.freq !== null ? `${a.freq} Hz per CPU` : `every ${a.periodNs} ns per CPU`;
  return k.spec.programs.map((ps) =>
    `# ${ps.name}: ${ps.attach.kind} ${where(ps.attach)}\n` +
    disassembleProgram(ps.program, { formatSpan: (t) => `${t.file.name}:${t.line}:${t.col}` })).join('\n');
}

/** -vv: when the kernel handlers are armed, counted from the process's start (start-up time). */
function armedNote(h: KernelHooks, err: ((s: string) => void) | null): KernelHooks {
  if (!err) return h;
  return {
    ...h,
    start: async () => {
      await h.start();
      err(`Pass 5: kernel probes armed ${Math.round(performance.now())} ms after tstap started\n`);
    },
  };
}

export async function runPass5(p: Program, k: KernelBuild | null, o: Options, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  return runProgram(p, {
    limits: limitsFor(o, p), out, err, args: o.args, suppressWarnings: o.suppressWarnings,
    kernel: k ? armedNote(kernelHooks(koffiSys(), k, (index, why) => {
      if (o.verbose >= 1) err(interpretedNote(p.probes[index]!, `the verifier refused it: ${why.split('\n')[0]}`));
    }), o.verbose >= 2 ? err : null) : null,
    targetPid: o.targetPid,
    command: o.command === null ? null : shellCommand(o.command),
  });
}
