// Named, cached kernel feature probes that say what is missing and since which kernel (as libbpf and cilium/ebpf do).

import * as fs from 'node:fs';
import { AttachType, BpfCmd, MapType, ProgType } from './bpf-const.js';
import { bpfAttr, bpfTry, enableRunTimeStats, mapCreate } from './bpf.js';
import { linkCreateKprobeMulti, linkCreatePerfEvent, linkCreateUprobeMulti } from './link.js';
import { openCpuClock, openKprobe, openUprobe, pmuType } from './perf.js';
import { BpfLoadError, progLoad, progTestRun, type ProgLoadOptions } from './prog.js';
import { pageSize } from './ringbuf.js';
import { SysError, errnoName, type SysApi } from './syscall.js';

/** Resolves a vmlinux BTF type id by name (supplied by the BTF layer; sys/ does not parse BTF). */
export type BtfLookup = (name: string, kind: 'func' | 'typedef') => number | undefined;

export interface FeatureResult {
  readonly name: FeatureName;
  readonly available: boolean;
  /** Empty when available; else "not available on this kernel: ... (needs ...; ... returned E...)". */
  readonly reason: string;
  /** The errno name that decided it, if a syscall did. */
  readonly errno?: string;
  /** How it was decided, when not by a plain successful load. */
  readonly detail?: string;
}

export class FeatureUnavailableError extends Error {
  constructor(readonly result: FeatureResult) {
    super(result.reason);
    this.name = 'FeatureUnavailableError';
  }
}

type Outcome = { ok: true; detail?: string } | { ok: false; op: string; errno?: number; detail?: string };

interface Ctx {
  sys: SysApi;
  btf: BtfLookup | undefined;
  /** Registers an fd for closing when the probe ends; `slow` ones close on a worker thread. */
  fd(fd: number, slow?: boolean): number;
}

interface ProbeDef {
  /** What the user would miss, as a noun phrase. */
  what: string;
  /** Kernel version (and config) that brought it. */
  needs: string;
  run(c: Ctx): Outcome;
}

// Minimal hand-encoded programs: sys/ must not depend on the assembler in src/bpf.
function insn(code: number, dst: number, src: number, off: number, imm: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(code, 0);
  b.writeUInt8((src << 4) | dst, 1);
  b.writeInt16LE(off, 2);
  b.writeInt32LE(imm, 4);
  return b;
}
const MOV_R0_0 = insn(0xb7, 0, 0, 0, 0);
const EXIT = insn(0x95, 0, 0, 0, 0);
const RETURN_0 = Buffer.concat([MOV_R0_0, EXIT]);
const callHelper = (id: number): Buffer => Buffer.concat([insn(0x85, 0, 0, 0, id), MOV_R0_0, EXIT]);

function failed(e: unknown, op: string): Outcome {
  if (e instanceof SysError) return { ok: false, op, errno: e.errno };
  throw e;
}

function load(c: Ctx, o: ProgLoadOptions, op = 'PROG_LOAD'): Outcome & { fd?: number } {
  try {
    return { ok: true, fd: c.fd(progLoad(c.sys, { name: 'tstap_probe', ...o })) };
  } catch (e) {
    return failed(e, op);
  }
}

function createMap(c: Ctx, type: number, keySize: number, valueSize: number, maxEntries: number): Outcome {
  try {
    c.fd(mapCreate(c.sys, { type, keySize, valueSize, maxEntries, name: 'tstap_probe' }).fd);
    return { ok: true };
  } catch (e) {
    return failed(e, 'MAP_CREATE');
  }
}

/** libbpf's helper probe: a call with garbage args fails either way; only "unknown func" means absent. */
function helper(id: number, type: number = ProgType.TRACEPOINT): (c: Ctx) => Outcome {
  return (c) => {
    try {
      c.fd(progLoad(c.sys, { type, insns: callHelper(id), name: 'tstap_probe' }));
      return { ok: true };
    } catch (e) {
      if (e instanceof BpfLoadError) {
        if (/invalid func |unknown func /.test(e.log)) return { ok: false, op: 'PROG_LOAD', errno: e.errno, detail: 'the verifier does not know the helper' };
        // What lockdown (or a missing config) leaves: the helper exists but is withheld.
        if (/cannot use helper/.test(e.log)) return { ok: false, op: 'PROG_LOAD', errno: e.errno, detail: 'the verifier withholds the helper from tracing programs' };
        if (e.log) return { ok: true, detail: 'helper known to the verifier' };
      }
      return failed(e, 'PROG_LOAD');
    }
  };
}

/** TRACING program probe: a real target when BTF ids are available, else the btf_id=0 answer. */
function tracing(attachType: number, target: readonly [string, 'func' | 'typedef'][]): (c: Ctx) => Outcome {
  return (c) => {
    if (!fs.existsSync('/sys/kernel/btf/vmlinux')) return { ok: false, op: 'stat /sys/kernel/btf/vmlinux', errno: 2 };
    let id: number | undefined;
    for (const [name, kind] of target) if (id === undefined) id = c.btf?.(name, kind);
    if (id !== undefined) return load(c, { type: ProgType.TRACING, expectedAttachType: attachType, attachBtfId: id, insns: RETURN_0 });
    // Without a target the verifier refuses with EINVAL "must provide btf_id" if (and only if)
    // the program type got past the permission and policy checks.
    try {
      c.fd(progLoad(c.sys, { type: ProgType.TRACING, expectedAttachType: attachType, insns: RETURN_0 }));
      return { ok: true };
    } catch (e) {
      if (e instanceof BpfLoadError && e.code === 'EINVAL' && /btf_id/.test(e.log)) {
        return { ok: true, detail: 'program type accepted (attach target not tried: no BTF lookup given)' };
      }
      return failed(e, 'PROG_LOAD');
    }
  };
}

const PROBES = {
  bpf: { what: 'BPF maps', needs: 'Linux 3.18', run: (c) => createMap(c, MapType.ARRAY, 4, 4, 1) },
  percpu_array: { what: 'per-CPU array maps', needs: 'Linux 4.6', run: (c) => createMap(c, MapType.PERCPU_ARRAY, 4, 8, 1) },
  percpu_hash: { what: 'per-CPU hash maps', needs: 'Linux 4.6', run: (c) => createMap(c, MapType.PERCPU_HASH, 4, 8, 1) },
  stack_trace: { what: 'stack trace maps', needs: 'Linux 4.6', run: (c) => createMap(c, MapType.STACK_TRACE, 4, 8, 1) },
  ringbuf: { what: 'BPF ring buffers', needs: 'Linux 5.8', run: (c) => createMap(c, MapType.RINGBUF, 0, 0, pageSize()) },
  batch_ops: {
    what: 'batched map lookups',
    needs: 'Linux 5.6',
    run: (c) => {
      const map = c.fd(mapCreate(c.sys, { type: MapType.HASH, keySize: 4, valueSize: 4, maxEntries: 1 }).fd);
      const keys = Buffer.alloc(4);
      const values = Buffer.alloc(4);
      const tok = Buffer.alloc(8);
      const a = bpfAttr(c.sys).ptr(8, tok).ptr(16, keys).ptr(24, values).u32(32, 1).u32(36, map);
      const res = bpfTry(c.sys, BpfCmd.MAP_LOOKUP_BATCH, a);
      // An empty map answers ENOENT when the command exists.
      return res.ret >= 0 || res.errno === 2 ? { ok: true } : { ok: false, op: 'MAP_LOOKUP_BATCH', errno: res.errno };
    },
  },
  tracepoint: { what: 'tracepoint programs', needs: 'Linux 4.7', run: (c) => load(c, { type: ProgType.TRACEPOINT, insns: RETURN_0 }) },
  raw_tp: { what: 'raw tracepoint programs', needs: 'Linux 4.17', run: (c) => load(c, { type: ProgType.RAW_TRACEPOINT, insns: RETURN_0 }) },
  tp_btf: {
    what: 'BTF-typed tracepoint programs (tp_btf)',
    needs: 'Linux 5.5 with CONFIG_DEBUG_INFO_BTF',
    run: tracing(AttachType.TRACE_RAW_TP, [['btf_trace_sched_switch', 'typedef']]),
  },
  fentry: {
    what: 'fentry programs',
    needs: 'Linux 5.5',
    run: tracing(AttachType.TRACE_FENTRY, [['bpf_fentry_test1', 'func'], ['vfs_read', 'func']]),
  },
  fexit: {
    what: 'fexit programs',
    needs: 'Linux 5.5',
    run: tracing(AttachType.TRACE_FEXIT, [['bpf_fentry_test1', 'func'], ['vfs_read', 'func']]),
  },
  kprobe: {
    what: 'kprobes',
    needs: 'Linux 4.17 with CONFIG_KPROBE_EVENTS',
    run: (c) => {
      const prog = load(c, { type: ProgType.KPROBE, insns: RETURN_0 });
      if (!prog.ok) return prog;
      if (pmuType('kprobe') === null) return { ok: false, op: 'stat /sys/bus/event_source/devices/kprobe', errno: 2 };
      try {
        c.fd(openKprobe(c.sys, { symbol: 'vfs_read' }), true);
        return { ok: true };
      } catch (e) {
        return failed(e, 'perf_event_open(kprobe)');
      }
    },
  },
  kprobe_multi: {
    what: 'multi-kprobe links',
    needs: 'Linux 5.18 with CONFIG_FPROBE',
    run: (c) => {
      const prog = load(c, { type: ProgType.KPROBE, expectedAttachType: AttachType.TRACE_KPROBE_MULTI, insns: RETURN_0 });
      if (!prog.ok || prog.fd === undefined) return prog;
      try {
        c.fd(linkCreateKprobeMulti(c.sys, prog.fd, { symbols: ['__tstap_no_such_function__'] }));
        return { ok: true };
      } catch (e) {
        // Symbol resolution comes after the capability checks: "no such symbol" means supported.
        if (e instanceof SysError && (e.code === 'ENOENT' || e.code === 'ESRCH')) return { ok: true, detail: `probe symbol rejected with ${e.code}` };
        return failed(e, 'LINK_CREATE(kprobe_multi)');
      }
    },
  },
  uprobe: {
    what: 'uprobes',
    needs: 'Linux 4.17 with CONFIG_UPROBE_EVENTS',
    run: (c) => {
      if (pmuType('uprobe') === null) return { ok: false, op: 'stat /sys/bus/event_source/devices/uprobe', errno: 2 };
      try {
        // Registering needs only a regular file and an offset inside it; nothing runs there.
        // Unregistering a uprobe waits ~70 ms for RCU: close it in the background.
        c.fd(openUprobe(c.sys, { path: fs.realpathSync('/proc/self/exe'), offset: 0n }), true);
        return { ok: true };
      } catch (e) {
        return failed(e, 'perf_event_open(uprobe)');
      }
    },
  },
  uprobe_multi: {
    what: 'multi-uprobe links',
    needs: 'Linux 6.6',
    run: (c) => {
      const prog = load(c, { type: ProgType.KPROBE, expectedAttachType: AttachType.TRACE_UPROBE_MULTI, insns: RETURN_0 });
      if (!prog.ok || prog.fd === undefined) return prog;
      try {
        c.fd(linkCreateUprobeMulti(c.sys, prog.fd, { path: '/', offsets: [0n] }));
        return { ok: true };
      } catch (e) {
        // libbpf's probe: a directory as the binary gets EBADF only from a kernel that has the link type.
        if (e instanceof SysError && e.code === 'EBADF') return { ok: true, detail: 'probe path rejected with EBADF' };
        return failed(e, 'LINK_CREATE(uprobe_multi)');
      }
    },
  },
  perf_cpu_clock: {
    what: 'cpu-clock sampling programs',
    needs: 'Linux 4.9',
    run: (c) => {
      const prog = load(c, { type: ProgType.PERF_EVENT, insns: RETURN_0 });
      if (!prog.ok) return prog;
      try {
        openCpuClock(c.sys, { freq: 1, cpus: [0] }, (_cpu, fd) => c.fd(fd));
        return { ok: true };
      } catch (e) {
        return failed(e, 'perf_event_open(cpu-clock)');
      }
    },
  },
  perf_link: {
    what: 'BPF links on perf events',
    needs: 'Linux 5.15',
    run: (c) => {
      const prog = load(c, { type: ProgType.PERF_EVENT, insns: RETURN_0 });
      if (!prog.ok || prog.fd === undefined) return prog;
      try {
        let perf = -1;
        openCpuClock(c.sys, { freq: 1, cpus: [0] }, (_cpu, fd) => (perf = c.fd(fd)));
        c.fd(linkCreatePerfEvent(c.sys, prog.fd, perf));
        return { ok: true };
      } catch (e) {
        return failed(e, 'LINK_CREATE(perf_event)');
      }
    },
  },
  prog_test_run: {
    what: 'test runs of raw tracepoint programs',
    needs: 'Linux 5.10',
    run: (c) => {
      const prog = load(c, { type: ProgType.RAW_TRACEPOINT, insns: RETURN_0 });
      if (!prog.ok || prog.fd === undefined) return prog;
      try {
        progTestRun(c.sys, prog.fd, { ctxIn: Buffer.alloc(8) });
        return { ok: true };
      } catch (e) {
        return failed(e, 'PROG_TEST_RUN');
      }
    },
  },
  run_stats: {
    what: 'program run-time statistics',
    needs: 'Linux 5.8',
    run: (c) => {
      try {
        c.fd(enableRunTimeStats(c.sys));
        return { ok: true };
      } catch (e) {
        return failed(e, 'ENABLE_STATS');
      }
    },
  },
  kernel_btf: {
    what: 'kernel BTF (/sys/kernel/btf/vmlinux)',
    needs: 'Linux 5.4 with CONFIG_DEBUG_INFO_BTF',
    run: () => (fs.existsSync('/sys/kernel/btf/vmlinux') ? { ok: true } : { ok: false, op: 'stat /sys/kernel/btf/vmlinux', errno: 2 }),
  },
  bpf_loop: { what: 'the bpf_loop helper', needs: 'Linux 5.17', run: helper(181) },
  probe_read_kernel: { what: 'the bpf_probe_read_kernel helper', needs: 'Linux 5.5', run: helper(113) },
  get_stackid: { what: 'the bpf_get_stackid helper', needs: 'Linux 4.6', run: helper(27) },
  send_signal: { what: 'the bpf_send_signal helper', needs: 'Linux 5.3', run: helper(109) },
  probe_write_user: { what: 'the bpf_probe_write_user helper', needs: 'Linux 4.8 and no lockdown', run: helper(36) },
} satisfies Record<string, ProbeDef>;

export type FeatureName = keyof typeof PROBES;

/** Every probe name, in a stable order. */
export const FEATURE_NAMES: readonly FeatureName[] = Object.keys(PROBES) as FeatureName[];

function reason(def: ProbeDef, o: Extract<Outcome, { ok: false }>): string {
  let needs = def.needs;
  if (o.errno === 1) {
    needs += process.getuid?.() === 0 ? ' and no lockdown/LSM policy denying it' : ' and root (or CAP_BPF and CAP_PERFMON)';
  }
  const how = o.errno !== undefined ? `${o.op} returned ${errnoName(o.errno)}` : o.op;
  return `not available on this kernel: ${def.what} (needs ${needs}; ${how}${o.detail ? `: ${o.detail}` : ''})`;
}

/** Feature probes against one SysApi, each run at most once. */
export class Features {
  private readonly cache = new Map<FeatureName, FeatureResult>();
  private readonly closing: Promise<unknown>[] = [];

  constructor(
    private readonly sys: SysApi,
    private readonly opts: { btf?: BtfLookup } = {},
  ) {}

  check(name: FeatureName): FeatureResult {
    const hit = this.cache.get(name);
    if (hit) return hit;
    const def: ProbeDef = PROBES[name];
    const fds: { fd: number; slow: boolean }[] = [];
    const ctx: Ctx = { sys: this.sys, btf: this.opts.btf, fd: (fd, slow = false) => (fds.push({ fd, slow }), fd) };
    let out: Outcome;
    try {
      out = def.run(ctx);
    } finally {
      // Newest first: links before the programs and perf events they hold.
      for (const { fd, slow } of fds.reverse()) {
        if (slow) this.closing.push(this.sys.closeAsync(fd));
        else this.sys.close(fd);
      }
    }
    const result: FeatureResult = out.ok
      ? { name, available: true, reason: '', ...(out.detail ? { detail: out.detail } : {}) }
      : { name, available: false, reason: reason(def, out), ...(out.errno !== undefined ? { errno: errnoName(out.errno) } : {}), ...(out.detail ? { detail: out.detail } : {}) };
    this.cache.set(name, result);
    return result;
  }

  has(name: FeatureName): boolean {
    return this.check(name).available;
  }

  /** Throws FeatureUnavailableError with the probe's reason. */
  require(name: FeatureName): void {
    const r = this.check(name);
    if (!r.available) throw new FeatureUnavailableError(r);
  }

  checkAll(): FeatureResult[] {
    return FEATURE_NAMES.map((n) => this.check(n));
  }

  /** Resolves when the probes' background closes are done (every probe fd is closed). */
  async settled(): Promise<void> {
    await Promise.all(this.closing.splice(0));
  }
}
