// The stap-compatible command line: GNU getopt_long parsing (options may follow the script;
// `--` ends them), then the first operand is the script file unless -e gave one.

export interface Options {
  lastPass: number;
  verbose: number;
  guru: boolean;
  suppressWarnings: boolean;
  skipOptimize: boolean;
  scriptFile: string | null;
  cmdlineScript: string | null;
  additionalScripts: string[];
  includePath: string[];
  defines: string[];
  outputFile: string | null;
  timeout: number | null;
  compatible: string | null;
  runtime: string | null;
  /** -r: the kernel release to build for (and to test in %( kernel_v %) conditions). */
  kernelRelease: string | null;
  privilege: 'stapdev' | 'stapsys' | 'stapusr';
  /** -c CMD: run CMD once the probes are armed; target() is its pid; the run ends with it. */
  command: string | null;
  /** -x PID: target() is PID. */
  targetPid: number | null;
  args: string[];
  help: boolean;
  version: boolean;
  /** -l PROBE / -L PROBE: list the matching probe points (-L: with their variables) instead of running. */
  listProbes: { pattern: string; withVars: boolean } | null;
  /** --dump-probe-types, --dump-probe-aliases, --dump-functions: list and exit. */
  dump: 'probe-types' | 'probe-aliases' | 'functions' | null;
}

/** Short options that take an argument (from stap's STAP_SHORT_OPTIONS). */
const withArg = new Set('peEIoRramcxDsldLSBJGT'.split(''));
const noArg = new Set('hVvtkgPbuqiwFjW'.split(''));
const longWithArg = new Set(['compatible', 'runtime', 'sysroot', 'sysenv', 'suppress-time-limits', 'poison-cache']);
const longNoArg = new Set(['help', 'version', 'vp', 'skip-badvars', 'unprivileged', 'privilege', 'dump-probe-types',
  'dump-probe-aliases', 'dump-functions', 'suppress-handler-errors', 'disable-cache']);

export class UsageError extends Error {}

export function parseOptions(argv: string[]): Options {
  const o: Options = {
    lastPass: 5, verbose: 0, guru: false, suppressWarnings: false, skipOptimize: false, scriptFile: null,
    cmdlineScript: null, additionalScripts: [], includePath: [], defines: [], outputFile: null, timeout: null,
    compatible: null, runtime: null, kernelRelease: null, privilege: 'stapdev', command: null, targetPid: null, args: [], help: false, version: false,
    listProbes: null, dump: null,
  };
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      let value: string | null = eq < 0 ? null : a.slice(eq + 1);
      if (longWithArg.has(name) && value === null) {
        if (i + 1 >= argv.length) throw new UsageError(`option '--${name}' requires an argument`);
        value = argv[++i]!;
      } else if (!longWithArg.has(name) && !longNoArg.has(name)) {
        throw new UsageError(`unrecognized option '${a}'`);
      }
      applyLong(o, name, value);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let k = 1; k < a.length; k++) {
        const c = a[k]!;
        if (withArg.has(c)) {
          let value = a.slice(k + 1);
          if (value === '') {
            if (i + 1 >= argv.length) throw new UsageError(`option requires an argument -- '${c}'`);
            value = argv[++i]!;
          }
          applyShort(o, c, value);
          break;
        }
        if (!noArg.has(c)) throw new UsageError(`invalid option -- '${c}'`);
        applyShort(o, c, null);
      }
      continue;
    }
    operands.push(a);
  }
  for (const a of operands) {
    if (o.scriptFile === null && o.cmdlineScript === null) o.scriptFile = a;
    else o.args.push(a);
  }
  return o;
}

function applyShort(o: Options, c: string, v: string | null): void {
  switch (c) {
    case 'p': {
      const n = Number(v);
      if (!/^[1-5]$/.test(v ?? '')) throw new UsageError('Invalid pass number (should be 1-5).');
      o.lastPass = n;
      break;
    }
    case 'v': o.verbose++; break;
    case 'g': o.guru = true; break;
    case 'w': o.suppressWarnings = true; break;
    case 'u': o.skipOptimize = true; break;
    case 'e':
      if (o.cmdlineScript !== null) throw new UsageError('Only one script can be given on the command line.');
      o.cmdlineScript = v!;
      break;
    case 'E': o.additionalScripts.push(v!); break;
    case 'I': o.includePath.push(v!); break;
    case 'D': o.defines.push(v!); break;
    case 'o': o.outputFile = v!; break;
    case 'T': o.timeout = Number(v); break;
    case 'r': o.kernelRelease = v; break;
    case 'c': o.command = v; break;
    case 'x':
      if (!/^\d+$/.test(v ?? '')) throw new UsageError(`Invalid target process ID number '${v}'.`);
      o.targetPid = Number(v);
      break;
    case 'l': case 'L':
      // As stap: the pattern becomes `probe PATTERN {}`, elaborated (pass 2) and listed.
      o.listProbes = { pattern: v!, withVars: c === 'L' };
      o.cmdlineScript = `probe ${v!} {}`;
      o.lastPass = 2;
      o.skipOptimize = true;
      o.suppressWarnings = true;
      break;
    case 'h': o.help = true; break;
    case 'V': o.version = true; break;
    default: break; // accepted for compatibility; later passes give them meaning
  }
}

function applyLong(o: Options, name: string, v: string | null): void {
  switch (name) {
    case 'help': o.help = true; break;
    case 'version': o.version = true; break;
    case 'dump-probe-types': o.dump = 'probe-types'; break;
    case 'dump-probe-aliases': o.dump = 'probe-aliases'; break;
    case 'dump-functions': o.dump = 'functions'; break;
    case 'compatible': o.compatible = v; break;
    case 'runtime':
      // kernel (the default) runs begin/end/timer handlers in the interpreter; bpf also moves
      // begin and end into eBPF (BPF_PROG_TEST_RUN). There is no dyninst back end.
      if (v === 'kernel' || v === 'bpf') o.runtime = v;
      else if (v === 'dyninst') throw new UsageError('--runtime=dyninst is not supported by tstap (use kernel or bpf).');
      else throw new UsageError(`Invalid argument '${v ?? ''}' for --runtime.`);
      break;
    case 'unprivileged': o.privilege = 'stapusr'; break;
    case 'privilege':
      if (v === null) o.privilege = 'stapusr';
      else if (v === 'stapdev' || v === 'stapsys' || v === 'stapusr') o.privilege = v;
      else throw new UsageError(`Invalid argument '${v}' for --privilege.`);
      break;
    default: break;
  }
}
