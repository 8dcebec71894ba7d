// A minimal BPF ring buffer reader: maps the consumer page and the (double-mapped) data area
// and drains committed records with the kernel's acquire/release protocol (kernel-facts §3).

import { MAP_SHARED, PROT_READ, PROT_WRITE, type SysApi } from '../sys/syscall.js';

const PAGE = 4096;
const BUSY = 0x80000000;
const DISCARD = 0x40000000;

export class RingReader {
  private readonly consumer: BigUint64Array;
  private readonly producer: BigUint64Array;
  private readonly data: DataView;
  private readonly mask: number;
  private readonly maps: { addr: bigint; len: number }[] = [];

  constructor(private readonly sys: SysApi, fd: number, size: number) {
    const cons = sys.mmap(PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (cons.errno) throw new Error(`mmap of the ring buffer consumer page failed (errno ${cons.errno})`);
    const prod = sys.mmap(PAGE + 2 * size, PROT_READ, MAP_SHARED, fd, PAGE);
    if (prod.errno) throw new Error(`mmap of the ring buffer data failed (errno ${prod.errno})`);
    this.maps.push({ addr: cons.addr, len: PAGE }, { addr: prod.addr, len: PAGE + 2 * size });
    this.consumer = new BigUint64Array(sys.view(cons.addr, PAGE));
    const pv = sys.view(prod.addr, PAGE + 2 * size);
    this.producer = new BigUint64Array(pv, 0, 1);
    this.data = new DataView(pv, PAGE, 2 * size);
    this.mask = size - 1;
  }

  /** Calls `onRecord(view, offset, length)` for each committed record; returns how many. */
  drain(onRecord: (view: DataView, offset: number, length: number) => void): number {
    let cons = Number(Atomics.load(this.consumer, 0));
    const prod = Number(Atomics.load(this.producer, 0));
    let n = 0;
    while (cons < prod) {
      const at = cons & this.mask;
      const hdr = this.data.getUint32(at, true);
      if (hdr & BUSY) break;
      const len = hdr & ~(BUSY | DISCARD);
      if (!(hdr & DISCARD)) {
        onRecord(this.data, at + 8, len);
        n++;
      }
      cons += Math.ceil((len + 8) / 8) * 8;
    }
    if (n > 0 || cons !== Number(this.consumer[0])) Atomics.store(this.consumer, 0, BigInt(cons));
    return n;
  }

  close(): void {
    for (const m of this.maps) this.sys.munmap(m.addr, m.len);
    this.maps.length = 0;
  }
}
