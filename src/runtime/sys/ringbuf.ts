// BPF ring buffer consumer over a RINGBUF map fd: the mmap layout and the record acquire/release protocol.

import * as fs from 'node:fs';
import type { FdRegistry, OwnedMapping } from './fd.js';
import { MAP_FAILED, MAP_SHARED, PROT_READ, PROT_WRITE, SysError, type SysApi } from './syscall.js';

/** Record header bits in the u32 length word. */
const BUSY_BIT = 0x80000000;
const DISCARD_BIT = 0x40000000;
const LEN_MASK = 0x3fffffff;
const HDR_SIZE = 8;

// Let the producer reuse space while a long batch is still being handled, without paying a
// store per record.
const RELEASE_EVERY = 64 * 1024;

let pageSizeCache: number | undefined;

/** The kernel page size, from the aux vector (AT_PAGESZ = 6); 4096 if unreadable. */
export function pageSize(): number {
  if (pageSizeCache === undefined) {
    pageSizeCache = 4096;
    try {
      const auxv = fs.readFileSync('/proc/self/auxv');
      for (let off = 0; off + 16 <= auxv.length; off += 16) {
        if (auxv.readBigUInt64LE(off) === 6n) pageSizeCache = Number(auxv.readBigUInt64LE(off + 8));
      }
    } catch {
      // keep the default
    }
  }
  return pageSizeCache;
}

/**
 * Called once per committed record. `view` spans the whole data area; the payload is
 * `length` bytes at `offset`. Zero-copy: the bytes are valid only during the call (the producer
 * may overwrite them once the consumer position moves past); copy what you keep.
 */
export type RecordHandler = (view: DataView, offset: number, length: number) => void;

export interface RingCounters {
  /** Records delivered to the handler. */
  records: number;
  /** Payload bytes delivered. */
  bytes: number;
  /** Records the producer discarded (bpf_ringbuf_discard). */
  discarded: number;
  /** drain() calls that delivered at least one record. */
  drains: number;
}

/** One ring's consumer; the protocol is the one kernel/bpf/ringbuf.c writes and libbpf's ringbuf.c reads. */
export class RingBufferReader {
  readonly counters: RingCounters = { records: 0, bytes: 0, discarded: 0, drains: 0 };
  private readonly cons: BigUint64Array;
  private readonly prod: BigUint64Array;
  private readonly hdr: Uint32Array;
  private readonly data: DataView;
  private readonly mask: number;
  private readonly page: number;
  private closed = false;

  private constructor(
    private readonly sys: SysApi,
    readonly fd: number,
    readonly size: number,
    private readonly consMap: { addr: bigint; length: number; owned: OwnedMapping | null },
    private readonly prodMap: { addr: bigint; length: number; owned: OwnedMapping | null },
    private readonly reg: FdRegistry | null,
  ) {
    this.page = consMap.length;
    this.mask = size - 1;
    // Views are created once: each koffi.view costs ~1 µs, DataView reads ~1.5 ns.
    this.cons = new BigUint64Array(sys.view(consMap.addr, consMap.length), 0, 1);
    const pv = sys.view(prodMap.addr, prodMap.length);
    this.prod = new BigUint64Array(pv, 0, 1);
    this.hdr = new Uint32Array(pv);
    this.data = new DataView(pv, this.page, 2 * size);
  }

  /**
   * Map the ring of RINGBUF map `mapFd` (`size` = its max_entries, a power-of-two multiple of
   * the page size). The consumer page is mapped read-write; the producer page and the data area
   * read-only and twice its size: the kernel maps the data pages twice in a row, so a record
   * never wraps in our address space. The mappings are owned by `reg` when given.
   */
  static open(sys: SysApi, mapFd: number, size: number, reg: FdRegistry | null = null): RingBufferReader {
    const page = pageSize();
    if (size < page || (size & (size - 1)) !== 0 || size > 2 ** 30) {
      throw new Error(`ring buffer size ${size} must be a power of two between the page size (${page}) and 1 GiB`);
    }
    const c = sys.mmap(page, PROT_READ | PROT_WRITE, MAP_SHARED, mapFd, 0);
    if (c.addr === MAP_FAILED) throw new SysError('mmap(ringbuf consumer page)', c.errno);
    const consMap = { addr: c.addr, length: page, owned: reg ? reg.ownMapping(c.addr, page, 'ringbuf consumer page') : null };
    const plen = page + 2 * size;
    const p = sys.mmap(plen, PROT_READ, MAP_SHARED, mapFd, page);
    if (p.addr === MAP_FAILED) {
      if (consMap.owned && reg) reg.close(consMap.owned);
      else sys.munmap(c.addr, page);
      throw new SysError('mmap(ringbuf producer/data)', p.errno);
    }
    const prodMap = { addr: p.addr, length: plen, owned: reg ? reg.ownMapping(p.addr, plen, 'ringbuf data') : null };
    return new RingBufferReader(sys, mapFd, size, consMap, prodMap, reg);
  }

  /** Bytes committed or reserved by producers and not yet consumed. */
  get pending(): number {
    return Number(Atomics.load(this.prod, 0) - Atomics.load(this.cons, 0));
  }

  /**
   * Deliver committed records in order, stopping at the first one still being written (BUSY)
   * or after `maxRecords`. Returns the number delivered. If the handler throws, the records
   * before it (and it) count as consumed and the error propagates.
   */
  drain(onRecord: RecordHandler, maxRecords = Infinity): number {
    if (this.closed) throw new Error('ring buffer reader is closed');
    const { hdr, data, mask } = this;
    const base = this.page >>> 2;
    // Positions grow forever; as doubles they stay exact for 2^53 bytes (years at GB/s).
    let cons = Number(Atomics.load(this.cons, 0));
    let released = cons;
    let n = 0;
    let bytes = 0;
    let discarded = 0;
    try {
      outer: for (;;) {
        // Acquire: record headers below producer_pos are visible once we have read it.
        const prod = Number(Atomics.load(this.prod, 0));
        if (cons >= prod) break;
        while (cons < prod) {
          // size <= 2^30, so `& mask` on the low 32 bits is the position modulo size.
          const off = cons & mask;
          const len = Atomics.load(hdr, base + (off >>> 2));
          if (len & BUSY_BIT) break outer;
          const payload = len & LEN_MASK;
          cons += (payload + HDR_SIZE + 7) & ~7;
          if (len & DISCARD_BIT) {
            discarded++;
          } else {
            n++;
            bytes += payload;
            onRecord(data, off + HDR_SIZE, payload);
          }
          if (cons - released >= RELEASE_EVERY) {
            // Release: the producer may now overwrite everything below `cons`.
            Atomics.store(this.cons, 0, BigInt(cons));
            released = cons;
          }
          if (n >= maxRecords) break outer;
        }
      }
    } finally {
      if (cons !== released) Atomics.store(this.cons, 0, BigInt(cons));
      const c = this.counters;
      c.records += n;
      c.bytes += bytes;
      c.discarded += discarded;
      if (n > 0) c.drains++;
    }
    return n;
  }

  /** Unmap both regions (the map fd belongs to whoever created the map). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const m of [this.prodMap, this.consMap]) {
      if (m.owned && this.reg) this.reg.close(m.owned);
      else this.sys.munmap(m.addr, m.length);
    }
  }
}
