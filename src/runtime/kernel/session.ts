// Running the kernel half of a script: creates the maps, loads and attaches one eBPF program
// per kernel probe, gives the interpreter map-backed storage for shared globals, turns ring
// buffer records into output, exit() and errors, and removes everything on every way out.

import type { Value } from '../../interp/values.js';
import type { KernelBuild } from '../../bpf/codegen/compile.js';
import { DROPPED_OFFSET, REALTIME_OFFSET, STATE_OFFSET, TARGET_OFFSET } from '../../bpf/codegen/gen.js';
import { resolveRelocations } from '../../bpf/program.js';
import type { MapKind, MapSpec, ProgramSpec, RecordFormat } from '../../bpf/spec.js';
import type { Var } from '../../elaborate/model.js';
import type { Cell } from '../../interp/context.js';
import { decodeFields, HEADER_SIZE } from '../../wire/records.js';
import { AttachType, BPF_ANY, BPF_F_RDONLY_PROG, MapType, ProgType } from '../sys/bpf-const.js';
import { mapCreate, mapFreeze, mapDelete, mapLookup, mapLookupBatch, mapUpdate, batchEntry, type BpfMapInfo } from '../sys/bpf.js';
import { numPossibleCpus, roundUp8 } from '../sys/cpus.js';
import { linkCreateTracing, linkCreatePerfEvent } from '../sys/link.js';
import { BpfLoadError, btfLoad, progLoadAsync, progTestRun, type ProgLoadOptions } from '../sys/prog.js';
import { inParallel } from '../../util/in-parallel.js';
import { availableParallelism } from 'node:os';
import { FUNC_INFO_REC_SIZE, funcBtf } from '../../bpf/func-btf.js';
import type { SysApi } from '../sys/syscall.js';
import { tracepointSignature } from '../meta/btf-probe-args.js';
import { vmlinuxBtf } from '../meta/btf.js';
import { readEventFormat } from '../meta/tracefs.js';
import { KernelArray, scalarCell, seqCounter, statsCell } from './cells.js';
import type { MapHandle } from './map-handle.js';
import { RingBufferReader } from '../sys/ringbuf.js';
import { openTracepointEvent } from './tracepoint.js';
import { dispatchSyscalls } from './syscall-dispatch.js';
import { openCpuClock, openKprobe, perfEventOpen } from '../sys/perf.js';
import { onlineCpus } from '../sys/cpus.js';
import { SysError } from '../sys/syscall.js';
import { Features } from '../sys/features.js';
import { kallsyms } from '../meta/kallsyms.js';
import { UserStacks } from '../meta/ustack.js';
import { decodeUserStack, type UserStackRecord } from '../../wire/ustack.js';
import { USER_SYMBOL_FUNCTIONS, userSymbolCall } from '../../format/usyms.js';
import type * as A from '../../parse/ast.js';
import { ExecPaths } from './exec-paths.js';

const MAP_TYPES: Record<MapKind, number> = {
  hash: MapType.HASH, array: MapType.ARRAY, percpu_hash: MapType.PERCPU_HASH, percpu_array: MapType.PERCPU_ARRAY,
  ringbuf: MapType.RINGBUF, stack_trace: MapType.STACK_TRACE,
};

export interface RecordSink {
  /** `deferred`: built-ins to apply to some arguments first (RecordKind printf). */
  printf(call: number, values: (bigint | string)[], deferred?: (string | null)[]): void;
  backtrace(text: string): void;
  exit(): void;
  /** A run-time error; `values` holds the message when the format has none (error(expr)). */
  error(format: RecordFormat, values: Value[]): void;
}

/** Concurrent asynchronous FFI calls (koffi refuses more than it has workers for). */
const ASYNC_BATCH = 32;

/**
 * Programs verified at once: the verifier is CPU-bound in the kernel, one worker per CPU keeps
 * every CPU busy (`syscall.*` with argstr: ~360 programs).
 */
const LOAD_WORKERS = Math.min(ASYNC_BATCH, availableParallelism());

/** A load failure reported against the script: verifier message, hint and the full log. */
export class KernelLoadError extends Error {
  constructor(message: string, readonly log: string) {
    super(message);
  }
}

export class KernelSession {
  private readonly maps = new Map<MapSpec, BpfMapInfo>();
  private readonly fds: number[] = [];
  private readonly links: number[] = [];
  private ring: RingBufferReader | null = null;
  private execs: ExecPaths | null = null;
  private ustacks: UserStacks | null = null;
  private readonly formats: Map<number, RecordFormat>;

  constructor(
    private readonly sys: SysApi,
    private readonly build: KernelBuild,
    /** Told of a begin/end handler (probe index) the verifier refused: the interpreter runs it. */
    private readonly onInterpreted: (probe: number, why: string) => void = () => {},
  ) {
    this.formats = new Map(build.spec.records.map((r) => [r.id, r]));
  }

  /** Creates the maps and loads every program (nothing is attached yet). */
  async load(): Promise<void> {
    for (const m of this.build.spec.maps) {
      const info = mapCreate(this.sys, {
        type: MAP_TYPES[m.kind], keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, name: m.name,
        ...(m.constant ? { flags: BPF_F_RDONLY_PROG } : {}),
      });
      this.maps.set(m, info);
      this.fds.push(info.fd);
      if (m.constant) {
        mapUpdate(this.sys, info.fd, Buffer.alloc(4), m.constant);
        mapFreeze(this.sys, info.fd);
      }
    }
    this.ring = RingBufferReader.open(this.sys, this.maps.get(this.build.layout.ringbuf)!.fd, this.build.layout.ringbuf.maxEntries);
    const programs = this.build.spec.programs;
    const outcomes = await inParallel(programs, LOAD_WORKERS, async (p) => {
      try {
        return await this.loadProgram(p);
      } catch (e) {
        // --runtime=bpf: a begin/end handler the verifier will not take (too many loop
        // iterations to walk, ...) runs in the interpreter instead, on the same maps.
        if (p.attach.kind === 'test_run' && e instanceof KernelLoadError) {
          this.onInterpreted(p.probe, e.message);
          return null;
        }
        throw e;
      }
    });
    // In the script's order (attachments follow it); the first failure is the one reported.
    outcomes.forEach((o, i) => {
      if (!o.ok) throw o.error;
      if (o.value !== null) this.progFds.set(programs[i]!, o.value);
    });
    // gettimeofday_*() in the kernel: bpf_ktime_get_ns() (CLOCK_MONOTONIC) plus this offset.
    this.setGlobal(REALTIME_OFFSET, BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint());
  }

  private readonly progFds = new Map<ProgramSpec, number>();

  private features: Features | null = null;

  /**
   * prog_btf_fd and func_info for a program with subprograms (callbacks of bpf_loop and
   * bpf_for_each_map_elem need them); nothing for a single-function program.
   */
  private subprogramInfo(p: ProgramSpec): Pick<ProgLoadOptions, 'progBtfFd' | 'funcInfo'> {
    const fns = p.program.functions;
    if (fns.length <= 1) return {};
    // The entry gets ctx; callbacks at most the four arguments for_each_map_elem passes.
    const b = funcBtf(fns, (_f, i) => (i === 0 ? 1 : 4));
    const fd = btfLoad(this.sys, b.btf);
    this.fds.push(fd);
    return { progBtfFd: fd, funcInfo: { recSize: FUNC_INFO_REC_SIZE, records: b.funcInfo, count: b.count } };
  }

  private async loadProgram(p: ProgramSpec): Promise<number> {
    const insns = resolveRelocations(p.program, {
      mapFd: (m) => this.maps.get(m)!.fd,
      kfunc: (name) => ({ btfId: vmlinuxBtf().find('func', name)! }),
    });
    const sub = this.subprogramInfo(p);
    if (p.attach.kind === 'function') {
      // fentry/fexit where the kernel allows them; pass 3 chose kprobes (attach kind
      // 'kprobe') where it does not and kprobes are there.
      const btf = vmlinuxBtf();
      this.features ??= new Features(this.sys, { btf: (name, kind) => btf.find(kind, name) });
      const fentry = this.features.check(p.attach.ret ? 'fexit' : 'fentry');
      if (!fentry.available) {
        const kprobe = this.features.check('kprobe');
        throw new KernelLoadError(`cannot probe kernel.function("${p.attach.func}"): ${fentry.reason}; ` +
          (kprobe.available ? 'kprobes are there: run again (the choice is made when the script is translated)' : kprobe.reason), '');
      }
      const fd = await progLoadAsync(this.sys, {
        type: ProgType.TRACING, insns, name: p.name, attachBtfId: p.attach.btfId, ...sub,
        expectedAttachType: p.attach.ret ? AttachType.TRACE_FEXIT : AttachType.TRACE_FENTRY,
      });
      this.fds.push(fd);
      return fd;
    }
    try {
      if (p.attach.kind === 'kprobe') {
        const fd = await progLoadAsync(this.sys, { type: ProgType.KPROBE, insns, name: p.name, ...sub });
        this.fds.push(fd);
        return fd;
      }
      if (p.attach.kind === 'tp_btf') {
        const sig = tracepointSignature(vmlinuxBtf(), p.attach.tracepoint);
        if (!sig) throw new Error(`no BTF for tracepoint ${p.attach.tracepoint}`);
        const fd = await progLoadAsync(this.sys, {
          type: ProgType.TRACING, insns, name: p.name, expectedAttachType: AttachType.TRACE_RAW_TP, attachBtfId: sig.id, ...sub,
        });
        this.fds.push(fd);
        return fd;
      }
      const perfProg = p.attach.kind === 'cpu_clock' || p.attach.kind === 'perf';
      const type = perfProg ? ProgType.PERF_EVENT : p.attach.kind === 'test_run' ? ProgType.RAW_TRACEPOINT : ProgType.TRACEPOINT;
      const fd = await progLoadAsync(this.sys, { type, insns, name: p.name, ...sub });
      this.fds.push(fd);
      return fd;
    } catch (e) {
      if (e instanceof BpfLoadError) throw verifierError(e, p);
      throw e;
    }
  }

  /** Attaches every loaded program: from now on kernel handlers run. */
  attach(): void {
    // Many syscall probes: one shared attachment per direction (syscall-dispatch.ts).
    const shared = dispatchSyscalls(this.sys, this.progFds);
    this.fds.push(...shared.fds);
    this.links.push(...shared.links);
    // print_ubacktrace(): the kernel notes what each process execs (for processes gone by the time
    // their stacks are read).
    if (this.build.spec.records.some((r) => r.what.kind === 'ubacktrace')) {
      this.execs = ExecPaths.attach(this.sys);
      this.fds.push(...(this.execs?.fds ?? []));
      this.links.push(...(this.execs?.links ?? []));
    }
    for (const [p, fd] of this.progFds) {
      if (p.attach.kind === 'test_run' || shared.programs.has(p)) continue;
      if (p.attach.kind === 'tp_btf') {
        this.links.push(linkCreateTracing(this.sys, fd, AttachType.TRACE_RAW_TP));
      } else if (p.attach.kind === 'function') {
        this.links.push(linkCreateTracing(this.sys, fd, p.attach.ret ? AttachType.TRACE_FEXIT : AttachType.TRACE_FENTRY));
      } else if (p.attach.kind === 'perf') {
        const a = p.attach;
        for (const cpu of onlineCpus()) {
          let perf: number;
          try {
            perf = perfEventOpen(this.sys, { type: a.type, config: BigInt(a.config), samplePeriod: a.sample }, { pid: -1, cpu }, a.event);
          } catch (e) {
            if (e instanceof SysError && (e.code === 'ENOENT' || e.code === 'EOPNOTSUPP')) {
              throw new KernelLoadError(`not available on this kernel: ${a.event} (${a.type === 0 ? 'no hardware PMU' : 'no such software event'}; perf_event_open returned ${e.code})`, '');
            }
            throw e;
          }
          this.fds.push(perf);
          this.links.push(linkCreatePerfEvent(this.sys, fd, perf));
        }
      } else if (p.attach.kind === 'kprobe') {
        let perf: number;
        try {
          perf = openKprobe(this.sys, { symbol: p.attach.func, retprobe: p.attach.ret });
        } catch (e) {
          throw new KernelLoadError(`cannot probe kernel.function("${p.attach.func}") with a ${p.attach.ret ? 'kretprobe' : 'kprobe'}: ${(e as Error).message}`, '');
        }
        this.fds.push(perf);
        this.links.push(linkCreatePerfEvent(this.sys, fd, perf));
      } else if (p.attach.kind === 'cpu_clock') {
        const a = p.attach;
        openCpuClock(this.sys, a.periodNs !== null ? { periodNs: a.periodNs } : { freq: a.freq ?? 250 }, (_cpu, perf) => {
          this.fds.push(perf);
          this.links.push(linkCreatePerfEvent(this.sys, fd, perf));
        });
      } else {
        const format = readEventFormat(p.attach.category, p.attach.name);
        const perf = openTracepointEvent(this.sys, format.id);
        this.fds.push(perf);
        this.links.push(linkCreatePerfEvent(this.sys, fd, perf));
      }
    }
  }

  /** Stops the kernel handlers (links closed); maps stay readable. */
  async detach(): Promise<void> {
    await this.closeAll(this.links.splice(0));
  }

  /**
   * Closing a perf-event link (or its event) waits for an RCU grace period, so closes run in
   * parallel, in batches: the FFI's worker pool takes only so many calls at once.
   */
  private async closeAll(fds: number[]): Promise<void> {
    for (let i = 0; i < fds.length; i += ASYNC_BATCH) await Promise.all(fds.slice(i, i + ASYNC_BATCH).map((fd) => this.sys.closeAsync(fd)));
  }

  /** Storage for a global shared with kernel handlers, or null if it is the interpreter's own. */
  cell(v: Var): Cell | null {
    const loc = this.build.layout.globals.get(v);
    if (!loc) return null;
    if (loc.kind === 'scalar') return scalarCell(this.handle(this.build.layout.globalsMap), loc, this.build.layout.maxStringLen);
    if (loc.kind === 'stats') return statsCell(this.handle(loc.map), loc.stats);
    this.nextSeq ??= seqCounter(this.handle(this.build.layout.seq));
    return new KernelArray(this.handle(loc.map), loc, this.nextSeq, this.build.layout.maxStringLen) as unknown as Cell;
  }

  private nextSeq: (() => bigint) | null = null;

  private handle(spec: MapSpec): MapHandle {
    const info = this.maps.get(spec)!;
    const sys = this.sys;
    const percpu = spec.kind === 'percpu_array' || spec.kind === 'percpu_hash';
    const copies = percpu ? numPossibleCpus() : 1;
    const stride = percpu ? roundUp8(spec.valueSize) : spec.valueSize;
    return {
      spec, copies, stride,
      lookup(key) {
        const v = Buffer.alloc(info.valueBufSize);
        return mapLookup(sys, info.fd, key, v) ? v : null;
      },
      update(key, value) {
        mapUpdate(sys, info.fd, key, value, BPF_ANY);
      },
      delete(key) {
        mapDelete(sys, info.fd, key);
      },
      dump() {
        const b = mapLookupBatch(sys, info.fd, spec.keySize, info.valueBufSize, spec.maxEntries);
        const out: { key: Buffer; value: Buffer }[] = [];
        for (let i = 0; i < b.count; i++) {
          const e = batchEntry(b, i);
          out.push({ key: Buffer.from(e.key), value: Buffer.from(e.value) });
        }
        return out;
      },
    };
  }

  /** Handles every committed record; returns how many. */
  poll(sink: RecordSink): number {
    if (!this.ring) return 0;
    return this.ring.drain((view, off) => {
      const id = view.getUint32(off, true);
      const f = this.formats.get(id);
      if (!f) return;
      const what = f.what;
      if (what.kind === 'printf' && what.ucontext) this.userSymbolPrint(sink, what.call, what.deferred!, decodeFields(view, off, f.fields));
      else if (what.kind === 'printf') sink.printf(what.call, decodeFields(view, off, f.fields), what.deferred);
      else if (what.kind === 'exit') sink.exit();
      else if (what.kind === 'backtrace') sink.backtrace(this.backtrace(Number(decodeFields(view, off, f.fields)[0])));
      else if (what.kind === 'ubacktrace' && what.context) this.keepContext(decodeUserStack(view, off));
      else if (what.kind === 'ubacktrace') sink.backtrace(this.userStack(view, off));
      else sink.error(f, decodeFields(view, off, f.fields));
    });
  }

  /** Sets what target() returns in kernel handlers. */
  setTarget(pid: number): void {
    this.setGlobal(TARGET_OFFSET, BigInt(pid));
  }

  /** Tells the kernel handlers the session is stopping: they do nothing from now on. */
  stopping(): void {
    this.setGlobal(STATE_OFFSET, 1n);
  }

  /** The session state kernel handlers see (0 running, 1 stopping, 2 error). */
  setState(state: number): void {
    this.setGlobal(STATE_OFFSET, BigInt(state));
  }

  /** Whether a handler of probe `index` was compiled to run here with BPF_PROG_TEST_RUN. */
  hasTestRun(index: number): boolean {
    return [...this.progFds.keys()].some((p) => p.probe === index && p.attach.kind === 'test_run');
  }

  /** Runs the handler of probe `index` once (BPF_PROG_TEST_RUN with an empty raw_tp ctx). */
  testRun(index: number): void {
    for (const [p, fd] of this.progFds) {
      if (p.probe === index && p.attach.kind === 'test_run') progTestRun(this.sys, fd, { ctxIn: Buffer.alloc(8) });
    }
  }

  private setGlobal(offset: number, value: bigint): void {
    const info = this.maps.get(this.build.layout.globalsMap)!;
    const key = Buffer.alloc(4);
    const v = Buffer.alloc(info.valueBufSize);
    mapLookup(this.sys, info.fd, key, v);
    v.writeBigInt64LE(value, offset);
    mapUpdate(this.sys, info.fd, key, v, BPF_ANY);
  }

  /** User stacks sent for the print records that follow them (printf `ucontext`), by pid and time. */
  private readonly contexts = new Map<string, UserStackRecord>();

  private keepContext(rec: UserStackRecord): void {
    this.contexts.set(`${rec.pid}:${rec.time}`, rec);
    // A print record lost to a full ring buffer leaves its context behind: keep only the latest.
    if (this.contexts.size > 1024) this.contexts.delete(this.contexts.keys().next().value!);
  }

  /**
   * A print record with usymname() and kin among its deferred arguments: those are made here,
   * their addresses looked up in the process of the probe through its user stack (sent just
   * before), and the record goes on with their results in place of their arguments.
   */
  private userSymbolPrint(sink: RecordSink, call: number, deferred: (string | null)[], values: (bigint | string)[]): void {
    const time = BigInt.asUintN(64, values.pop() as bigint);
    const pid = Number(values.pop() as bigint);
    const key = `${pid}:${time}`;
    const rec = this.contexts.get(key) ?? { pid, time, frames: [] };
    this.contexts.delete(key);
    this.ustacks ??= new UserStacks((p) => this.execs?.lookup(p));
    const stacks = this.ustacks;
    const e = this.build.printCalls[call]!;
    const rest: (string | null)[] = [];
    const out: (bigint | string)[] = [];
    let next = 0;
    for (let i = 0; i < e.args.length; i++) {
      const name = deferred[i] ?? null;
      const arg = e.args[i]!;
      const n = name ? (arg as A.FunctionCall).args.length : 1;
      const vals = values.slice(next, next + n);
      next += n;
      if (name === null || !USER_SYMBOL_FUNCTIONS.has(name)) {
        out.push(...vals);
        rest.push(name);
        continue;
      }
      try {
        out.push(userSymbolCall(name, vals, (addr) => stacks.lookup(rec, addr), this.build.layout.maxStringLen));
      } catch (err) {
        // umodname() of an address in no module: the call's run-time error, nothing printed.
        sink.error({ id: -1, what: { kind: 'error', message: (err as Error).message, tok: arg.tok }, fields: [] }, []);
        return;
      }
      rest.push(null);
    }
    sink.printf(call, out, rest.some((d) => d) ? rest : undefined);
  }

  /** A print_ubacktrace() record's frames, symbolized (meta/ustack.ts). */
  private userStack(view: DataView, off: number): string {
    this.ustacks ??= new UserStacks((pid) => this.execs?.lookup(pid));
    return this.ustacks.format(decodeUserStack(view, off));
  }

  /** A kernel stack from the stack map, one frame per line in stap's print_backtrace() format. */
  private backtrace(id: number): string {
    if (id < 0) return ' <no kernel backtrace at this point>\n';
    const info = this.maps.get(this.build.layout.stacks)!;
    const key = Buffer.alloc(4);
    key.writeUInt32LE(id);
    const v = Buffer.alloc(info.valueBufSize);
    if (!mapLookup(this.sys, info.fd, key, v)) return '';
    let out = '';
    for (let off = 0; off + 8 <= v.length; off += 8) {
      const addr = v.readBigUInt64LE(off);
      if (addr === 0n) break;
      out += formatKernelFrame(addr);
    }
    return out;
  }

  /** Records the ring buffer had no room for. */
  dropped(): bigint {
    const v = Buffer.alloc(this.maps.get(this.build.layout.globalsMap)!.valueBufSize);
    return mapLookup(this.sys, this.maps.get(this.build.layout.globalsMap)!.fd, Buffer.alloc(4), v) ? v.readBigInt64LE(DROPPED_OFFSET) : 0n;
  }

  /** Closes everything: links, programs, perf events, maps. */
  async close(): Promise<void> {
    await this.detach();
    this.ring?.close();
    this.ring = null;
    await this.closeAll(this.fds.splice(0));
  }
}

export { HEADER_SIZE };

/** A verifier rejection, pointed at the script line of the failing instruction. */
function verifierError(e: BpfLoadError, p: ProgramSpec): KernelLoadError {
  const lines = e.log.trim().split('\n');
  let where = '';
  let last = -1;
  for (const l of lines) {
    const m = /^(\d+): \(/.exec(l);
    if (m) last = Number(m[1]);
  }
  const span = last >= 0 ? p.program.spans[last] : null;
  if (span) where = ` near ${span.file.name}:${span.line}:${span.col}`;
  const reason = lines.reverse().find((l) => !/^(processed|verification time|stack depth|\d+:)/.test(l) && l.trim()) ?? e.message;
  return new KernelLoadError(`the kernel's BPF verifier rejected the handler of probe ${p.name}${where}: ${reason.trim()}` +
    `\n  hint: ${hintFor(reason)} (run with -v for the whole verifier log)`, e.log);
}

function hintFor(reason: string): string {
  if (/invalid mem access 'map_value_or_null'/.test(reason)) return 'a map lookup result was used without a NULL check';
  if (/back-edge|infinite loop|too complex/.test(reason)) return 'the handler has a loop the verifier cannot bound; reduce the iteration count';
  if (/stack|combined stack/.test(reason)) return 'the handler needs too much BPF stack; use fewer locals or simpler expressions';
  if (/unknown func|helper call/.test(reason)) return 'this kernel lacks a BPF helper the handler needs';
  return 'this is a tstap code generation limit; please report it with the script';
}

void mapDelete;
void HEADER_SIZE;

function formatKernelFrame(addr: bigint): string {
  const s = kallsyms().symbolize(addr);
  const hex = `0x${addr.toString(16)}`;
  if (!s) return ` ${hex}\n`;
  return ` ${hex} : ${s.name}+0x${s.offset.toString(16)}/0x${(s.size ?? 0).toString(16)} [${s.module ?? 'kernel'}]\n`;
}
