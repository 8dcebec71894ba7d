// The registry of probe families: which probe points exist, what parameters they take, and
// which back end runs them. Families the kernel back end will provide are declared now so
// that scripts using them get a clear "not supported yet" instead of "no match".

/** One dotted component of a family's pattern, e.g. `ms(N)`. */
export interface ComponentPattern {
  name: string;
  arg: 'none' | 'number' | 'string' | 'optional-number';
  optional?: boolean;
}

export interface ProbeFamily {
  /** Stable id, e.g. 'timer.ms'. */
  id: string;
  components: ComponentPattern[];
  /** Where handlers run: 'user' (interpreter) or 'kernel' (eBPF, a later issue). */
  context: 'user' | 'kernel';
  /** When not null, the family is known but not available yet; this says why. */
  unsupported: string | null;
}

/** stap's perf.sw.* and perf.hw.* event names, with perf_event_open's type and config. */
export const PERF_EVENTS: Record<string, { kind: 'sw' | 'hw'; name: string; type: number; config: number }> = Object.fromEntries([
  ...['cpu_clock', 'task_clock', 'page_faults', 'context_switches', 'cpu_migrations', 'page_faults_min', 'page_faults_maj',
    'alignment_faults', 'emulation_faults'].map((name, config) => [`perf.sw.${name}`, { kind: 'sw' as const, name, type: 1, config }]),
  ...['cpu_cycles', 'instructions', 'cache_references', 'cache_misses', 'branch_instructions', 'branch_misses', 'bus_cycles',
    'stalled_cycles_frontend', 'stalled_cycles_backend', 'ref_cpu_cycles'].map((name, config) => [`perf.hw.${name}`, { kind: 'hw' as const, name, type: 0, config }]),
]);

const n = (name: string): ComponentPattern => ({ name, arg: 'number' });
const plain = (name: string): ComponentPattern => ({ name, arg: 'none' });
const s = (name: string): ComponentPattern => ({ name, arg: 'string' });
const randomize: ComponentPattern = { name: 'randomize', arg: 'number', optional: true };
const later = 'this probe family needs the kernel back end, which is not implemented yet';

export const PROBE_FAMILIES: ProbeFamily[] = [
  { id: 'begin', components: [{ name: 'begin', arg: 'optional-number' }], context: 'user', unsupported: null },
  { id: 'end', components: [{ name: 'end', arg: 'optional-number' }], context: 'user', unsupported: null },
  { id: 'error', components: [{ name: 'error', arg: 'optional-number' }], context: 'user', unsupported: null },
  { id: 'never', components: [plain('never')], context: 'user', unsupported: null },
  ...['s', 'sec', 'ms', 'msec', 'us', 'usec', 'ns', 'nsec', 'hz', 'jiffies'].map((u): ProbeFamily => ({
    id: `timer.${u}`, components: [plain('timer'), n(u), randomize], context: 'user', unsupported: null,
  })),
  { id: 'timer.profile', components: [plain('timer'), plain('profile')], context: 'kernel', unsupported: null },
  { id: 'timer.profile.tick', components: [plain('timer'), plain('profile'), plain('tick')], context: 'kernel', unsupported: null },

  { id: 'kernel.trace', components: [plain('kernel'), s('trace')], context: 'kernel', unsupported: null },
  { id: 'kernel.function', components: [plain('kernel'), s('function')], context: 'kernel', unsupported: null },
  { id: 'kernel.function.return', components: [plain('kernel'), s('function'), plain('return')], context: 'kernel', unsupported: null },
  { id: 'kernel.function.call', components: [plain('kernel'), s('function'), plain('call')], context: 'kernel', unsupported: null },
  { id: 'kernel.statement', components: [plain('kernel'), s('statement')], context: 'kernel', unsupported: later },
  { id: 'module.function', components: [s('module'), s('function')], context: 'kernel', unsupported: later },
  { id: 'module.function.return', components: [s('module'), s('function'), plain('return')], context: 'kernel', unsupported: later },
  { id: 'process.function', components: [s('process'), s('function')], context: 'kernel', unsupported: later },
  { id: 'process.function.return', components: [s('process'), s('function'), plain('return')], context: 'kernel', unsupported: later },
  { id: 'process.mark', components: [s('process'), s('mark')], context: 'kernel', unsupported: later },
  { id: 'process.begin', components: [{ name: 'process', arg: 'optional-number' }, plain('begin')], context: 'kernel', unsupported: later },
  { id: 'process.end', components: [{ name: 'process', arg: 'optional-number' }, plain('end')], context: 'kernel', unsupported: later },
  { id: 'process.syscall', components: [{ name: 'process', arg: 'optional-number' }, plain('syscall')], context: 'kernel', unsupported: later },
  { id: 'process.syscall.return', components: [{ name: 'process', arg: 'optional-number' }, plain('syscall'), plain('return')], context: 'kernel', unsupported: later },
  { id: 'kprobe.function', components: [plain('kprobe'), s('function')], context: 'kernel', unsupported: later },
  { id: 'kprobe.function.return', components: [plain('kprobe'), s('function'), plain('return')], context: 'kernel', unsupported: later },
  // perf.sw.NAME / perf.hw.NAME[.sample(N)]: one family per event (see PERF_EVENTS).
  ...Object.entries(PERF_EVENTS).map(([id, ev]): ProbeFamily => ({
    id, components: [plain('perf'), plain(ev.kind), plain(ev.name), { name: 'sample', arg: 'number', optional: true }],
    context: 'kernel', unsupported: null,
  })),
  { id: 'perf.type.config', components: [plain('perf'), n('type'), n('config')], context: 'kernel', unsupported: later },
  { id: 'kernel.data', components: [plain('kernel'), n('data'), plain('write')], context: 'kernel', unsupported: later },
  { id: 'procfs.read', components: [{ name: 'procfs', arg: 'optional-number' }, plain('read')], context: 'user', unsupported: 'procfs probes need a kernel module; tstap has none' },
  { id: 'procfs.write', components: [{ name: 'procfs', arg: 'optional-number' }, plain('write')], context: 'user', unsupported: 'procfs probes need a kernel module; tstap has none' },
];

/** Names that can start a probe point (for "similar:" suggestions). */
export function familyHeads(): string[] {
  return [...new Set(PROBE_FAMILIES.map((f) => f.components[0]!.name))];
}
