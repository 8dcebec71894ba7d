// Event-loop integration for ring buffers: epoll_wait on a worker thread while idle, timer polling while busy.

import type { RecordHandler, RingBufferReader } from './ringbuf.js';
import {
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  EPOLLIN,
  EPOLL_CLOEXEC,
  EPOLL_CTL_ADD,
  EPOLL_EVENT_SIZE,
  SysError,
  check,
  type SysApi,
} from './syscall.js';

export interface PollerOptions {
  /**
   * Timer period while records keep coming. Between drains the ring fills without waking
   * anyone: one wakeup per period instead of one per record (each costs the producer µs).
   */
  busyIntervalMs?: number;
  /**
   * epoll_wait timeout while idle: records written with BPF_RB_NO_WAKEUP are seen at least this
   * often. Stopping never waits for it (an eventfd interrupts the wait).
   */
  idleTimeoutMs?: number;
  /** A handler threw: the poller has stopped. Without it the error is rethrown from a timer. */
  onError?: (err: unknown) => void;
}

export interface PollerCounters {
  /** epoll_wait returns (events or time-outs). */
  epollWaits: number;
  /** Drains run from the busy timer. */
  timerPolls: number;
}

interface Source {
  reader: RingBufferReader;
  onRecord: RecordHandler;
}

export class RingPoller {
  readonly counters: PollerCounters = { epollWaits: 0, timerPolls: 0 };
  private readonly sources: Source[] = [];
  private readonly busyMs: number;
  private readonly idleMs: number;
  private epfd = -1;
  private wakeFd = -1;
  private events: Buffer = Buffer.alloc(0);
  private timer: NodeJS.Timeout | null = null;
  private pending: Promise<unknown> | null = null;
  private running = false;
  /** The fullest ring at the last pollOnce, as a fraction of its size. */
  private maxFill = 0;
  // A worker thread blocked in epoll_wait keeps the process from exiting (libuv joins its pool at
  // exit): the 'exit' hook wakes it.
  private readonly onExit = (): void => this.wake();

  constructor(
    private readonly sys: SysApi,
    private readonly opts: PollerOptions = {},
  ) {
    this.busyMs = opts.busyIntervalMs ?? 2;
    this.idleMs = opts.idleTimeoutMs ?? 500;
  }

  /** Add a ring buffer; allowed before start() only. */
  add(reader: RingBufferReader, onRecord: RecordHandler): this {
    if (this.running) throw new Error('RingPoller.add after start');
    this.sources.push({ reader, onRecord });
    return this;
  }

  /** Drain every ring once, synchronously; returns records delivered. */
  pollOnce(): number {
    let n = 0;
    this.maxFill = 0;
    for (const s of this.sources) {
      this.maxFill = Math.max(this.maxFill, s.reader.pending / s.reader.size);
      n += s.reader.drain(s.onRecord);
    }
    return n;
  }

  /** Begin consuming in the background of the event loop. */
  start(): void {
    if (this.running) return;
    const sys = this.sys;
    this.epfd = check(sys.epollCreate1(EPOLL_CLOEXEC), 'epoll_create1');
    try {
      this.wakeFd = check(sys.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), 'eventfd');
      this.sources.forEach((s, i) => check(sys.epollCtl(this.epfd, EPOLL_CTL_ADD, s.reader.fd, EPOLLIN, i), 'epoll_ctl(ringbuf)'));
      check(sys.epollCtl(this.epfd, EPOLL_CTL_ADD, this.wakeFd, EPOLLIN, this.sources.length), 'epoll_ctl(eventfd)');
    } catch (e) {
      this.closeFds();
      throw e;
    }
    this.events = Buffer.alloc(EPOLL_EVENT_SIZE * (this.sources.length + 1));
    this.running = true;
    process.on('exit', this.onExit);
    this.cycle();
  }

  /** Stop, deliver what is left in the rings, release the poller's fds (not the readers). */
  async stop(): Promise<void> {
    if (!this.running) return;
    await this.halt();
    this.pollOnce();
  }

  private async halt(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.wake();
    // The worker thread must be out of epoll_wait before its fd is closed.
    if (this.pending) await this.pending;
    process.off('exit', this.onExit);
    this.closeFds();
  }

  get isRunning(): boolean {
    return this.running;
  }

  private closeFds(): void {
    for (const fd of [this.epfd, this.wakeFd]) if (fd >= 0) this.sys.close(fd);
    this.epfd = this.wakeFd = -1;
  }

  private wake(): void {
    if (this.pending && this.wakeFd >= 0) {
      const one = Buffer.alloc(8);
      one.writeBigUInt64LE(1n);
      this.sys.write(this.wakeFd, one);
    }
  }

  private cycle(): void {
    if (!this.running) return;
    let n: number;
    try {
      n = this.pollOnce();
    } catch (e) {
      this.fail(e);
      return;
    }
    if (n > 0) {
      // A ring found more than a quarter full is outrunning the timer: come back at once.
      this.timer = setTimeout(
        () => {
          this.timer = null;
          this.counters.timerPolls++;
          this.cycle();
        },
        this.maxFill > 0.25 ? 0 : this.busyMs,
      );
      return;
    }
    // Idle: sleep in the kernel. A record committed after the drain above finds the consumer
    // caught up, so the kernel wakes the epoll (no lost wakeup).
    const p = this.sys.epollWaitAsync(this.epfd, this.events, this.sources.length + 1, this.idleMs).then(
      (res) => {
        this.pending = null;
        this.counters.epollWaits++;
        if (res.ret < 0 && res.errno !== 4) return this.fail(new SysError('epoll_wait', res.errno));
        this.cycle();
      },
      (e: unknown) => {
        this.pending = null;
        this.fail(e);
      },
    );
    this.pending = p;
  }

  private fail(e: unknown): void {
    // No final drain: the handler that threw would most likely throw again.
    void this.halt();
    if (this.opts.onError) this.opts.onError(e);
    else
      setImmediate(() => {
        throw e;
      });
  }
}
