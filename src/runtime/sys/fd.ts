// Ownership of kernel objects (fds and mappings): everything created is closed exactly once, on every exit path.

import { SysError, type SysApi } from './syscall.js';

export type FdKind = 'map' | 'prog' | 'link' | 'perf' | 'epoll' | 'eventfd' | 'btf' | 'stats' | 'other';

/** An owned fd. `fd` must not be used after `closed`. */
export interface OwnedFd {
  readonly type: 'fd';
  readonly fd: number;
  readonly kind: FdKind;
  readonly label: string;
  readonly closed: boolean;
}

/** An owned mmap region. */
export interface OwnedMapping {
  readonly type: 'mapping';
  readonly addr: bigint;
  readonly length: number;
  readonly label: string;
  readonly closed: boolean;
}

export type Owned = OwnedFd | OwnedMapping;

interface Entry {
  type: 'fd' | 'mapping';
  fd: number;
  kind: FdKind;
  addr: bigint;
  length: number;
  label: string;
  closed: boolean;
}

/** What closing many objects found: everything is attempted; failures are collected, not thrown. */
export interface CloseReport {
  closed: number;
  errors: SysError[];
  ms: number;
}

// Closing these waits for an RCU grace period in the kernel (perf: 30-50 ms, link on a perf
// event: ~17 ms); worth a worker thread each so they overlap.
const SLOW: ReadonlySet<FdKind> = new Set(['perf', 'link']);

/** libuv's thread pool (default 4) runs koffi async calls; leave one thread for fs and epoll. */
const ASYNC_PARALLELISM = Math.max(1, Number(process.env['UV_THREADPOOL_SIZE'] ?? 4) - 1);

export class FdRegistry {
  private readonly entries = new Set<Entry>();

  constructor(private readonly sys: SysApi) {}

  /** Take ownership of `fd` (call straight after the syscall that returned it). */
  own(fd: number, kind: FdKind, label: string): OwnedFd {
    const e: Entry = { type: 'fd', fd, kind, addr: 0n, length: 0, label, closed: false };
    this.entries.add(e);
    return e as OwnedFd;
  }

  /** Take ownership of an mmap region. */
  ownMapping(addr: bigint, length: number, label: string): OwnedMapping {
    const e: Entry = { type: 'mapping', fd: -1, kind: 'other', addr, length, label, closed: false };
    this.entries.add(e);
    return e as OwnedMapping;
  }

  /** Objects still open, oldest first. */
  get open(): readonly Owned[] {
    return [...this.entries] as Owned[];
  }

  get size(): number {
    return this.entries.size;
  }

  private entry(o: Owned): Entry | null {
    const e = o as Entry;
    return this.entries.has(e) && !e.closed ? e : null;
  }

  private closeSync(e: Entry): SysError | null {
    e.closed = true;
    this.entries.delete(e);
    const res = e.type === 'fd' ? this.sys.close(e.fd) : this.sys.munmap(e.addr, e.length);
    return res.ret < 0 ? new SysError(e.type === 'fd' ? `close(${e.label})` : `munmap(${e.label})`, res.errno) : null;
  }

  private async closeAsyncEntry(e: Entry): Promise<SysError | null> {
    e.closed = true;
    this.entries.delete(e);
    const res = await this.sys.closeAsync(e.fd);
    return res.ret < 0 ? new SysError(`close(${e.label})`, res.errno) : null;
  }

  /** Close one object now; a second close is a no-op (the fd number may belong to someone else by then). */
  close(o: Owned): void {
    const e = this.entry(o);
    if (!e) return;
    const err = this.closeSync(e);
    if (err) throw err;
  }

  /** Close one object on a worker thread (for perf events and links, whose close blocks for RCU). */
  async closeAsync(o: Owned): Promise<void> {
    const e = this.entry(o);
    if (!e) return;
    const err = e.type === 'fd' ? await this.closeAsyncEntry(e) : this.closeSync(e);
    if (err) throw err;
  }

  /** Close everything, newest first (links before the programs and perf events they hold). */
  closeAll(): CloseReport {
    const t0 = performance.now();
    const errors: SysError[] = [];
    let closed = 0;
    for (const e of [...this.entries].reverse()) {
      const err = this.closeSync(e);
      closed++;
      if (err) errors.push(err);
    }
    return { closed, errors, ms: performance.now() - t0 };
  }

  /**
   * Close everything without blocking the event loop on the slow ones: links and perf events are
   * closed in parallel on worker threads, the rest synchronously (they are microseconds each).
   */
  async closeAllAsync(): Promise<CloseReport> {
    const t0 = performance.now();
    const errors: SysError[] = [];
    const all = [...this.entries].reverse();
    const slow = all.filter((e) => e.type === 'fd' && SLOW.has(e.kind));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < slow.length) {
        const err = await this.closeAsyncEntry(slow[next++]!);
        if (err) errors.push(err);
      }
    };
    await Promise.all(Array.from({ length: Math.min(ASYNC_PARALLELISM, slow.length) }, worker));
    // Programs and maps go after the links that reference them; their close is cheap.
    for (const e of all) {
      if (e.closed) continue;
      const err = this.closeSync(e);
      if (err) errors.push(err);
    }
    return { closed: all.length, errors, ms: performance.now() - t0 };
  }
}

export interface CleanupOptions {
  /** Signals that trigger cleanup; default SIGINT, SIGTERM, SIGHUP. */
  signals?: readonly NodeJS.Signals[];
  /**
   * Called on a signal instead of the default (close everything, then die of the same signal so
   * the exit status is 128+n). Sessions pass their own orderly shutdown here.
   */
  onSignal?: (signal: NodeJS.Signals) => void;
}

/**
 * Close `reg`'s objects when the process exits (synchronously, in the 'exit' event) and on
 * SIGINT/SIGTERM/SIGHUP. Returns a function that removes the handlers.
 */
export function installCleanup(reg: FdRegistry, opts: CleanupOptions = {}): () => void {
  const onExit = (): void => {
    reg.closeAll();
  };
  const signals = opts.signals ?? ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const handlers = new Map<NodeJS.Signals, () => void>();
  const remove = (): void => {
    process.off('exit', onExit);
    for (const [s, h] of handlers) process.off(s, h);
    handlers.clear();
  };
  for (const s of signals) {
    const h = (): void => {
      if (opts.onSignal) return opts.onSignal(s);
      void reg.closeAllAsync().finally(() => {
        remove();
        process.kill(process.pid, s);
      });
    };
    handlers.set(s, h);
    process.on(s, h);
  }
  process.on('exit', onExit);
  return remove;
}
