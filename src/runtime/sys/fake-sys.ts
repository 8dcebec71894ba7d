// A scripted SysApi for unit tests: records every call, returns queued or default results.

import { EPOLL_EVENT_SIZE, MAP_FAILED, type MmapResult, type SysApi, type SysResult } from './syscall.js';

/** One recorded call; buffers are copies taken at call time. */
export type FakeCall =
  | { op: 'bpf'; cmd: number; attr: Buffer; size: number }
  | { op: 'perfEventOpen'; attr: Buffer; pid: number; cpu: number; groupFd: number; flags: number }
  | { op: 'ioctl'; fd: number; request: number; arg: number }
  | { op: 'mmap'; length: number; prot: number; flags: number; fd: number; offset: number }
  | { op: 'munmap'; addr: bigint; length: number }
  | { op: 'close'; fd: number; async: boolean }
  | { op: 'read'; fd: number; length: number }
  | { op: 'write'; fd: number; data: Buffer }
  | { op: 'eventfd'; initval: number; flags: number }
  | { op: 'epollCreate1'; flags: number }
  | { op: 'epollCtl'; epfd: number; ctl: number; fd: number; events: number; data: number }
  | { op: 'epollWait'; epfd: number; maxEvents: number; timeoutMs: number; async: boolean }
  | { op: 'mount'; source: string; target: string; fstype: string; flags: number; data: string | null };

export type FakeOp = FakeCall['op'];

/**
 * A scripted reply: a fixed result, or a function of the call (which may also write into the
 * caller's buffers, e.g. a verifier log, through `fake.deref()` or the `live` buffer).
 */
export type FakeReply = SysResult | ((call: FakeCall, live: Buffer | null) => SysResult);

const FD_OPS: ReadonlySet<FakeOp> = new Set(['perfEventOpen', 'eventfd', 'epollCreate1']);
// bpf commands that return a new fd: MAP_CREATE, PROG_LOAD, OBJ_GET, PROG/MAP_GET_FD_BY_ID,
// RAW_TRACEPOINT_OPEN, BTF_LOAD, BTF_GET_FD_BY_ID, LINK_CREATE, LINK_GET_FD_BY_ID, ENABLE_STATS, ITER_CREATE.
const BPF_FD_CMDS: ReadonlySet<number> = new Set([0, 5, 7, 13, 14, 17, 18, 19, 28, 30, 32, 33]);

export class FakeSys implements SysApi {
  readonly kind = 'fake' as const;
  readonly calls: FakeCall[] = [];
  pid = 4242;
  private nextFd = 100;
  private readonly queues = new Map<FakeOp, FakeReply[]>();
  private readonly memory = new Map<bigint, { buf: Buffer | ArrayBuffer; length: number }>();
  private nextAddr = 0x7f0000000000n;
  private lastWasScripted = false;
  /** Successful mmaps in order, for tests that play the kernel's side of shared memory. */
  readonly mmaps: { addr: bigint; length: number }[] = [];
  /** fds handed out and not yet closed. */
  readonly openFds = new Set<number>();

  /** Queue replies for the next calls of `op`, in order; unqueued calls get the default. */
  reply(op: FakeOp, ...replies: FakeReply[]): this {
    const q = this.queues.get(op) ?? [];
    q.push(...replies);
    this.queues.set(op, q);
    return this;
  }

  /** Shorthand: the next `op` fails with `errno`. */
  fail(op: FakeOp, errno: number): this {
    return this.reply(op, { ret: -1, errno });
  }

  /** Calls of one kind, narrowed. */
  callsOf<K extends FakeOp>(op: K): Extract<FakeCall, { op: K }>[] {
    return this.calls.filter((c): c is Extract<FakeCall, { op: K }> => c.op === op);
  }

  /** The bytes behind a fake address from `address()` or `mmap()`. */
  deref(addr: bigint, length?: number): Buffer {
    for (const [base, m] of this.memory) {
      if (addr >= base && addr < base + BigInt(m.length)) {
        const off = Number(addr - base);
        const b = Buffer.isBuffer(m.buf) ? m.buf : Buffer.from(m.buf);
        return b.subarray(off, length === undefined ? m.length : off + length);
      }
    }
    throw new Error(`fake: no memory at 0x${addr.toString(16)}`);
  }

  private run(call: FakeCall, live: Buffer | null): SysResult {
    this.calls.push(call);
    const q = this.queues.get(call.op);
    const next = q?.shift();
    this.lastWasScripted = next !== undefined;
    let res: SysResult;
    if (next !== undefined) res = typeof next === 'function' ? next(call, live) : next;
    else res = this.defaultResult(call);
    if (res.ret >= 0 && this.returnsFd(call)) this.openFds.add(res.ret);
    return res;
  }

  private returnsFd(call: FakeCall): boolean {
    return FD_OPS.has(call.op) || (call.op === 'bpf' && BPF_FD_CMDS.has(call.cmd));
  }

  private defaultResult(call: FakeCall): SysResult {
    if (this.returnsFd(call)) return { ret: this.nextFd++, errno: 0 };
    if (call.op === 'close') {
      // EBADF for unknown fds catches double closes in tests.
      if (!this.openFds.delete(call.fd)) return { ret: -1, errno: 9 };
    }
    if (call.op === 'read') return { ret: call.length, errno: 0 };
    if (call.op === 'write') return { ret: call.data.length, errno: 0 };
    return { ret: 0, errno: 0 };
  }

  /** A fresh fd number as the fake would hand out, for scripted replies. */
  allocFd(): number {
    return this.nextFd++;
  }

  bpf(cmd: number, attr: Buffer, size: number, _refs?: readonly Buffer[]): SysResult {
    return this.run({ op: 'bpf', cmd, attr: Buffer.from(attr), size }, attr);
  }
  bpfAsync(cmd: number, attr: Buffer, size: number, refs?: readonly Buffer[]): Promise<SysResult> {
    return Promise.resolve(this.bpf(cmd, attr, size, refs));
  }
  perfEventOpen(attr: Buffer, pid: number, cpu: number, groupFd: number, flags: number, _refs?: readonly Buffer[]): SysResult {
    return this.run({ op: 'perfEventOpen', attr: Buffer.from(attr), pid, cpu, groupFd, flags }, attr);
  }
  ioctl(fd: number, request: number, arg: number): SysResult {
    return this.run({ op: 'ioctl', fd, request, arg }, null);
  }
  mmap(length: number, prot: number, flags: number, fd: number, offset: number): MmapResult {
    const res = this.run({ op: 'mmap', length, prot, flags, fd, offset }, null);
    if (res.ret < 0) return { addr: MAP_FAILED, errno: res.errno };
    const addr = this.place(new ArrayBuffer(length), length);
    this.mmaps.push({ addr, length });
    return { addr, errno: 0 };
  }
  munmap(addr: bigint, length: number): SysResult {
    const res = this.run({ op: 'munmap', addr, length }, null);
    if (res.ret === 0) this.memory.delete(addr);
    return res;
  }
  close(fd: number): SysResult {
    return this.run({ op: 'close', fd, async: false }, null);
  }
  closeAsync(fd: number): Promise<SysResult> {
    return Promise.resolve(this.run({ op: 'close', fd, async: true }, null));
  }
  read(fd: number, buf: Buffer): SysResult {
    return this.run({ op: 'read', fd, length: buf.length }, buf);
  }
  write(fd: number, buf: Buffer): SysResult {
    return this.run({ op: 'write', fd, data: Buffer.from(buf) }, buf);
  }
  eventfd(initval: number, flags: number): SysResult {
    return this.run({ op: 'eventfd', initval, flags }, null);
  }
  epollCreate1(flags: number): SysResult {
    return this.run({ op: 'epollCreate1', flags }, null);
  }
  epollCtl(epfd: number, ctl: number, fd: number, events: number, data: number): SysResult {
    return this.run({ op: 'epollCtl', epfd, ctl, fd, events, data }, null);
  }
  epollWait(epfd: number, out: Buffer, maxEvents: number, timeoutMs: number): SysResult {
    return this.run({ op: 'epollWait', epfd, maxEvents, timeoutMs, async: false }, out);
  }
  epollWaitAsync(epfd: number, out: Buffer, maxEvents: number, timeoutMs: number): Promise<SysResult> {
    const res = this.run({ op: 'epollWait', epfd, maxEvents, timeoutMs, async: true }, out);
    // Unscripted, it behaves like a short time-out, so a poller over the fake cannot spin.
    const queued = this.lastWasScripted;
    return new Promise((resolve) => setTimeout(() => resolve(res), queued ? 0 : Math.min(Math.max(timeoutMs, 0), 5)));
  }
  mount(source: string, target: string, fstype: string, flags: number, data: string | null): SysResult {
    return this.run({ op: 'mount', source, target, fstype, flags, data }, null);
  }
  getpid(): number {
    return this.pid;
  }
  gettid(): number {
    return this.pid;
  }
  getppid(): number {
    return 1;
  }
  address(buf: Buffer): bigint {
    for (const [base, m] of this.memory) if (m.buf === buf) return base;
    return this.place(buf, buf.length);
  }
  view(addr: bigint, length: number): ArrayBuffer {
    const m = this.memory.get(addr);
    if (!m || !(m.buf instanceof ArrayBuffer) || m.length < length) {
      throw new Error(`fake: view(0x${addr.toString(16)}, ${length}) is not an mmapped region`);
    }
    return m.buf;
  }

  private place(buf: Buffer | ArrayBuffer, length: number): bigint {
    const addr = this.nextAddr;
    // Page-aligned, never adjacent, so deref() can tell regions apart.
    this.nextAddr += (BigInt(length) + 0x1fffn) & ~0xfffn;
    this.memory.set(addr, { buf, length });
    return addr;
  }
}

/** Write one epoll_event into an epollWait output buffer (for scripted epoll replies). */
export function writeEpollEvent(out: Buffer, index: number, events: number, data: number): void {
  out.writeUInt32LE(events >>> 0, index * EPOLL_EVENT_SIZE);
  out.writeBigUInt64LE(BigInt(data), index * EPOLL_EVENT_SIZE + 4);
}
