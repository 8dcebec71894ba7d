// The `tstap` command: stap's command line, passes run in order, stap's exit statuses.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Reporter } from '../diag/reporter.js';
import { toBytes } from '../diag/source.js';
import { defaultParseEnv, STAP_VERSION } from '../parse/env.js';
import { parseOptions, UsageError, type Options } from './options.js';
import { dumpParseTree, runPass1 } from './pass1.js';
import { buildKernel, disassembleKernel, dumpProgram, runPass2, runPass5 } from './passes.js';
import type { KernelBuild } from '../bpf/codegen/compile.js';
import { SemanticError } from '../diag/errors.js';
import { KernelLoadError } from '../runtime/kernel/session.js';
import { SysError } from '../runtime/sys/syscall.js';
import { memUsage, PassTimer } from './verbose.js';
import { listProbePoints } from './list-probes.js';
import { warmUp } from './warm-up.js';
import { functionSignatures, probeAliases, probeTypes } from './dumps.js';
import { Library, scanTapsets } from '../elaborate/library.js';
import { loadLibraryMacros } from '../parse/library.js';
import type { StapFile } from '../parse/ast.js';
import type { ParseEnv } from '../parse/env.js';

/** The project's own tapset library: `tapset/` in the package root (found from here up). */
export const TAPSET_DIR = findPackageRoot(__dirname) + '/tapset';

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'tapset'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..', '..', '..');
  }
}

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const usage = `Usage: tstap [options] FILE [ARGS ...]    Run script in file.
   or: tstap [options] -e SCRIPT [ARGS ...]  Run given script.

Options:
   --         end of translator options, script options follow
   -h --help  show help
   -V --version  show version
   -p NUM     stop after pass NUM 1-5, instead of 5
              (parse, elaborate, translate, compile, run)
   -v         add verbosity to all passes
   -w         suppress warnings
   -g         guru mode
   -I DIR     look in DIR for additional .stp script files, in addition to
              ${TAPSET_DIR}
   -D NM=VAL  emit macro definition into generated code
   -e SCRIPT  run given script instead of script from file
   -E SCRIPT  run given script, in addition to the main script
   -o FILE    send script output to file, instead of stdout
   -T TIME    terminate the script after TIME seconds
   -c CMD     start the probes, run CMD, and exit when it finishes
   -x PID     sets target() to PID
   -l PROBE   just list matching probe points
   -L PROBE   just list matching probe points and script-level local variables
   --compatible=VERSION
              suppress incompatible language/tapset changes beyond VERSION
   --runtime=kernel|bpf
              kernel (default): kernel probes in eBPF, begin/end/timers in user space;
              bpf: begin/end handlers in eBPF too
   --dump-probe-types
              show a list of available probe types
   --dump-probe-aliases
              show a list of available probe aliases
   --dump-functions
              show a list of available functions
`;

/** Runs tstap with `argv`; returns the exit status. */
export async function main(argv: string[], io: Io): Promise<number> {
  let o: Options;
  try {
    o = parseOptions(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`tstap: ${e.message}\nTry '--help' for more information.\n`);
    return 1;
  }
  if (o.help) {
    io.stdout(usage);
    return 0;
  }
  if (o.version) {
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(TAPSET_DIR), 'package.json'), 'utf8')) as { version: string };
    io.stdout(`tstap ${pkg.version}, SystemTap language ${STAP_VERSION}\n`);
    return 0;
  }
  if (o.dump) return dumpAndExit(o, io);
  if (o.scriptFile === null && o.cmdlineScript === null) {
    io.stderr("A script must be specified.\nTry '--help' for more information.\n");
    return 1;
  }
  const reporter = new Reporter(io.stderr);
  reporter.verbose = o.verbose;
  reporter.suppressWarnings = o.suppressWarnings;
  reporter.nargs = o.args.length;
  const env = defaultParseEnv(reporter, {
    args: o.args,
    guru: o.guru,
    ...(o.compatible ? { compatible: o.compatible } : {}),
    ...(o.kernelRelease ? { kernelRelease: o.kernelRelease } : {}),
    ...(o.runtime ? { runtime: o.runtime } : {}),
    privilege: o.privilege,
  });
  // As stap, $SYSTEMTAP_TAPSET replaces the built-in tapset directory.
  const tapsetDir = process.env['SYSTEMTAP_TAPSET'] || TAPSET_DIR;
  const t1 = new PassTimer();
  const p1 = runPass1(o, env, [tapsetDir, ...o.includePath]);
  let rc = p1.rc;
  if (o.verbose) io.stderr(`Pass 1: parsed user script and 0 library scripts ${memUsage()}${t1.times()}\n`);
  if (rc === 0 && o.lastPass === 1) io.stdout(dumpParseTree(p1.userFiles));
  if (rc) io.stderr('Pass 1: parse failed.  [man error::pass1]\n');
  if (rc === 0 && o.lastPass >= 2) rc = await laterPasses(o, p1.userFiles, env, [tapsetDir, ...o.includePath], io);
  reporter.reportSuppression();
  return rc ? 1 : 0;
}

async function laterPasses(o: Options, files: StapFile[], env: ParseEnv, includePath: string[], io: Io): Promise<number> {
  const t2 = new PassTimer();
  const program = runPass2(files, env, includePath, o);
  if (!program) {
    io.stderr('Pass 2: analysis failed.  [man error::pass2]\n');
    return 1;
  }
  if (o.verbose) {
    const n = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
    const fns = program.functions.filter((f) => !f.intrinsic).length;
    io.stderr(`Pass 2: analyzed script: ${n(program.probes.length, 'probe')}, ${n(fns, 'function')}, ` +
      `${n(program.embeds.length, 'embed')}, ${program.globals.length} global${program.globals.length === 1 ? '' : 's'} ${memUsage()}${t2.times()}\n`);
  }
  if (o.listProbes) {
    const lines = listProbePoints(program, o.listProbes.withVars);
    io.stdout(lines.map((l) => l + '\n').join(''));
    return lines.length ? 0 : 1;
  }
  if (o.lastPass === 2) {
    io.stdout(dumpProgram(program));
    return 0;
  }
  let kernel: KernelBuild | null;
  const t3 = new PassTimer();
  try {
    kernel = buildKernel(program, o, o.verbose ? io.stderr : undefined);
  } catch (e) {
    if (!(e instanceof SemanticError)) throw e;
    env.reporter.semanticError(e);
    io.stderr('Pass 3: translation failed.  [man error::pass3]\n');
    return 1;
  }
  if (o.verbose && kernel) {
    const insns = kernel.spec.programs.reduce((n, ps) => n + ps.program.insns.length / 8, 0);
    const n = kernel.spec.programs.length;
    io.stderr(`Pass 3: translated to eBPF: ${n} program${n === 1 ? '' : 's'}, ${insns} instructions ${memUsage()}${t3.times()}\n`);
  }
  if (o.lastPass === 3) {
    if (kernel) io.stdout(disassembleKernel(kernel));
    return 0;
  }
  if (o.lastPass < 5) return 0;
  if (o.verbose) io.stderr('Pass 5: starting run.\n');
  const t5 = new PassTimer();
  let out = io.stdout;
  if (o.outputFile !== null) {
    // -o: the script's output goes to FILE (created or truncated), diagnostics stay on stderr.
    const fd = fs.openSync(o.outputFile, 'w');
    out = (s) => fs.writeSync(fd, toBytes(s));
  }
  let rc: number;
  try {
    rc = await runPass5(program, kernel, o, out, io.stderr);
  } catch (e) {
    if (!(e instanceof KernelLoadError || e instanceof SysError)) throw e;
    // Loading or attaching failed: say why against the script, the verifier's log behind -v.
    io.stderr(`ERROR: ${e.message}\n`);
    if (o.verbose && e instanceof KernelLoadError) io.stderr(e.log.endsWith('\n') ? e.log : e.log + '\n');
    io.stderr('Pass 5: run failed.  [man error::pass5]\n');
    return 1;
  }
  if (o.verbose) io.stderr(`Pass 5: run completed ${t5.times()}\n`);
  return rc;
}

/**
 * Run once while the startup snapshot is built (tools/build-snapshot.ts): what every start
 * would otherwise redo, kept in the snapshot's heap: the scan of the package's tapsets, and
 * the bytecode of the passes (warm-up.ts).
 */
export function prepareSnapshot(): void {
  scanTapsets([TAPSET_DIR], defaultParseEnv(new Reporter(() => {}), { args: [], guru: false, privilege: 'stapdev' }));
  warmUp(TAPSET_DIR);
}

/** What bin/tstap set aside for node's start-up, put back for the commands tstap runs (-c). */
function restoreEnvironment(): void {
  const saved = process.env['TSTAP_NODE_EXTRA_CA_CERTS'];
  if (saved === undefined) return;
  process.env['NODE_EXTRA_CA_CERTS'] = saved;
  delete process.env['TSTAP_NODE_EXTRA_CA_CERTS'];
}

/** Runs one command line on the process's stdout/stderr; the exit status goes to process.exitCode. */
export function start(argv: string[]): void {
  restoreEnvironment();
  // A reader that goes away (`tstap ... | head`) ends the run as SIGPIPE ends staprun: quietly,
  // through the normal shutdown (probes detached, nothing left in the kernel); output written
  // after that is dropped.
  let pipeGone = false;
  for (const fd of [process.stdout, process.stderr]) {
    fd.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      if (!pipeGone) process.kill(process.pid, 'SIGTERM');
      pipeGone = true;
    });
  }
  const out = (fd: NodeJS.WriteStream) => (s: string) => {
    if (!pipeGone) fd.write(toBytes(s));
  };
  main(argv, { stdout: out(process.stdout), stderr: out(process.stderr) }).then(
    (rc) => {
      process.exitCode = rc;
    },
    (e: unknown) => {
      // Never a stack trace for the user; TSTAP_DEBUG=1 shows it for bug reports.
      process.stderr.write(`tstap: internal error: ${(e as Error).message}\n`);
      if (process.env['TSTAP_DEBUG']) process.stderr.write(String((e as Error).stack) + '\n');
      process.exitCode = 1;
    },
  );
}

// Executed directly, or required by bin/tstap. The startup snapshot (tools/build-snapshot.js)
// loads this module without running it and calls start() when the snapshot is deserialized.
if (require.main === module || process.argv[1]?.endsWith('bin/tstap')) start(process.argv.slice(2));

/** --dump-probe-types, --dump-probe-aliases, --dump-functions. */
function dumpAndExit(o: Options, io: Io): number {
  const reporter = new Reporter(io.stderr);
  reporter.suppressWarnings = true;
  const env = defaultParseEnv(reporter, { args: [], guru: o.guru, privilege: o.privilege });
  const includePath = [process.env['SYSTEMTAP_TAPSET'] || TAPSET_DIR, ...o.includePath];
  loadLibraryMacros(includePath, env);
  const lines = o.dump === 'probe-types' ? probeTypes() : o.dump === 'probe-aliases' ? probeAliases(new Library(includePath, env))
    : functionSignatures(new Library(includePath, env));
  io.stdout(lines.map((l) => l + '\n').join(''));
  return 0;
}
