// Unit tests of the sys layer over the fake SysApi: attr encodings, error mapping, the verifier
// log retry, batch protocol, fd ownership and the ring buffer record protocol (no kernel needed).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { AttachType, BpfCmd, MapType, ProgType } from '../../src/runtime/sys/bpf-const.js';
import { mapCreate, mapKeys, mapLookup, mapLookupBatch, mapUpdate } from '../../src/runtime/sys/bpf.js';
import { percpuSumU64, percpuValueSize, parseCpuList, numPossibleCpus } from '../../src/runtime/sys/cpus.js';
import { FakeSys } from '../../src/runtime/sys/fake-sys.js';
import { FdRegistry } from '../../src/runtime/sys/fd.js';
import { Features } from '../../src/runtime/sys/features.js';
import { linkCreatePerfEvent, linkCreateUprobeMulti, rawTracepointOpen } from '../../src/runtime/sys/link.js';
import { PerfIoctl, openTracepoint, perfSetBpf } from '../../src/runtime/sys/perf.js';
import { BpfLoadError, progLoad, progLoadAsync, progTestRun } from '../../src/runtime/sys/prog.js';
import { RingPoller } from '../../src/runtime/sys/ringbuf-poller.js';
import { RingBufferReader, pageSize } from '../../src/runtime/sys/ringbuf.js';
import { SysError, errnoName, errnoValue, isErrno } from '../../src/runtime/sys/syscall.js';
import { RETURN } from './sys-fixtures.js';

const EPERM = 1;
const ENOENT = 2;
const EACCES = 13;
const EINVAL = 22;
const ENOSPC = 28;

test('errno names and SysError text', () => {
  assert.equal(errnoName(1), 'EPERM');
  assert.equal(errnoName(22), 'EINVAL');
  assert.equal(errnoName(95), 'EOPNOTSUPP');
  assert.equal(errnoName(524), 'ENOTSUPP');
  assert.equal(errnoName(999), 'E999');
  assert.equal(errnoValue('E2BIG'), 7);
  const e = new SysError('bpf(PROG_LOAD)', EPERM, 'program x');
  assert.equal(e.code, 'EPERM');
  assert.equal(e.message, 'bpf(PROG_LOAD): EPERM (Operation not permitted): program x');
  assert.ok(isErrno(e, 'EPERM'));
});

test('MAP_CREATE attr encoding', () => {
  const sys = new FakeSys();
  const m = mapCreate(sys, { type: MapType.HASH, keySize: 8, valueSize: 16, maxEntries: 1000, flags: 1, name: 'stap-counts/with a long name' });
  const [call] = sys.callsOf('bpf');
  assert.ok(call);
  assert.equal(call.cmd, BpfCmd.MAP_CREATE);
  assert.equal(call.size, 144);
  const a = call.attr;
  assert.deepEqual([a.readUInt32LE(0), a.readUInt32LE(4), a.readUInt32LE(8), a.readUInt32LE(12), a.readUInt32LE(16)], [1, 8, 16, 1000, 1]);
  // Sanitized to the kernel's alphabet and cut to 15 chars + NUL.
  assert.equal(a.toString('latin1', 28, 44), 'stap_counts_wit\0');
  assert.ok(a.subarray(44).every((x) => x === 0));
  assert.equal(m.fd, 100);
  assert.equal(m.valueBufSize, 16);
});

test('per-CPU layout', () => {
  assert.deepEqual(parseCpuList('0-3,5,7-8\n'), [0, 1, 2, 3, 5, 7, 8]);
  assert.equal(percpuValueSize(4, 3), 24);
  assert.equal(percpuValueSize(12, 2), 32);
  const sys = new FakeSys();
  assert.equal(mapCreate(sys, { type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: 12, maxEntries: 1 }).valueBufSize, numPossibleCpus() * 16);
  const b = Buffer.alloc(24);
  b.writeBigUInt64LE(5n, 0);
  b.writeBigUInt64LE(7n, 8);
  b.writeBigUInt64LE(11n, 16);
  assert.equal(percpuSumU64(b), 23n);
});

test('map element commands: pointers, flags, ENOENT as false, other errors thrown', () => {
  const sys = new FakeSys();
  const key = Buffer.from([1, 2, 3, 4]);
  const value = Buffer.alloc(8);
  sys.fail('bpf', ENOENT);
  assert.equal(mapLookup(sys, 7, key, value), false);
  mapUpdate(sys, 7, key, Buffer.from('abcdefgh'), 1);
  const upd = sys.callsOf('bpf')[1]!;
  assert.equal(upd.cmd, BpfCmd.MAP_UPDATE_ELEM);
  assert.equal(upd.attr.readUInt32LE(0), 7);
  assert.deepEqual(sys.deref(upd.attr.readBigUInt64LE(8), 4), key);
  assert.equal(sys.deref(upd.attr.readBigUInt64LE(16), 8).toString(), 'abcdefgh');
  assert.equal(upd.attr.readBigUInt64LE(24), 1n);
  sys.fail('bpf', 7);
  assert.throws(() => mapUpdate(sys, 7, key, value), (e: unknown) => isErrno(e, 'E2BIG') && (e as SysError).op === 'bpf(MAP_UPDATE_ELEM)');
});

test('GET_NEXT_KEY walk: NULL first, then each key, ENOENT ends', () => {
  const sys = new FakeSys();
  const stored = [10, 20, 30];
  let i = 0;
  sys.reply('bpf', ...stored.map(() => (_c: unknown, live: Buffer | null) => {
    sys.deref(live!.readBigUInt64LE(16), 4).writeUInt32LE(stored[i++]!);
    return { ret: 0, errno: 0 };
  }));
  sys.fail('bpf', ENOENT);
  const keys = mapKeys(sys, 3, 4).map((k) => k.readUInt32LE(0));
  assert.deepEqual(keys, [10, 20, 30]);
  const calls = sys.callsOf('bpf');
  assert.equal(calls[0]!.attr.readBigUInt64LE(8), 0n);
  assert.notEqual(calls[1]!.attr.readBigUInt64LE(8), 0n);
});

test('LOOKUP_BATCH protocol: in_batch NULL first, out_batch fed back, ENOENT batch still counted, ENOSPC grows', () => {
  const sys = new FakeSys();
  let served = 0;
  const cursors: (number | null)[] = [];
  const batch = (n: number, last: boolean) => (_c: unknown, live: Buffer | null) => {
    const a = live!;
    cursors.push(a.readBigUInt64LE(0) ? sys.deref(a.readBigUInt64LE(0), 4).readUInt32LE(0) : null);
    assert.ok(a.readUInt32LE(32) >= n);
    const keys = sys.deref(a.readBigUInt64LE(16), n * 4);
    const vals = sys.deref(a.readBigUInt64LE(24), n * 8);
    for (let j = 0; j < n; j++) {
      keys.writeUInt32LE(served, j * 4);
      vals.writeBigUInt64LE(BigInt(served * 10), j * 8);
      served++;
    }
    sys.deref(a.readBigUInt64LE(8), 4).writeUInt32LE(served); // the cursor
    a.writeUInt32LE(n, 32);
    return last ? { ret: -1, errno: ENOENT } : { ret: 0, errno: 0 };
  };
  const enospc = (_c: unknown, live: Buffer | null) => {
    cursors.push(sys.deref(live!.readBigUInt64LE(0), 4).readUInt32LE(0));
    live!.writeUInt32LE(0, 32);
    return { ret: -1, errno: ENOSPC };
  };
  sys.reply('bpf', batch(2, false), enospc, batch(3, false), batch(1, true));
  const r = mapLookupBatch(sys, 9, 4, 8, 4, 2);
  assert.equal(r.count, 6);
  for (let j = 0; j < 6; j++) {
    assert.equal(r.keys.readUInt32LE(j * 4), j);
    assert.equal(r.values.readBigUInt64LE(j * 8), BigInt(j * 10));
  }
  const calls = sys.callsOf('bpf');
  assert.equal(calls.length, 4);
  assert.equal(calls[0]!.attr.readBigUInt64LE(0), 0n, 'first in_batch is NULL');
  assert.deepEqual(cursors, [null, 2, 2, 5], 'in_batch carries the previous out_batch');
  assert.equal(calls[2]!.attr.readUInt32LE(32), 4, 'ENOSPC doubled the batch');
});

test('PROG_LOAD attr encoding and the verifier-log retry', () => {
  const sys = new FakeSys();
  const insns = RETURN(0);
  sys.fail('bpf', EACCES);
  sys.reply('bpf', (_c, live) => {
    const a = live!;
    const log = sys.deref(a.readBigUInt64LE(32), a.readUInt32LE(28));
    log.write('0: (95) exit\nR0 !read_ok\n\0');
    return { ret: -1, errno: EACCES };
  });
  assert.throws(
    () => progLoad(sys, { type: ProgType.TRACING, insns, name: 'probe_0', expectedAttachType: AttachType.TRACE_RAW_TP, attachBtfId: 10306 }),
    (e: unknown) => e instanceof BpfLoadError && e.code === 'EACCES' && e.log === '0: (95) exit\nR0 !read_ok\n' && e.message.includes('R0 !read_ok'),
  );
  const [first, retry] = sys.callsOf('bpf');
  for (const c of [first!, retry!]) {
    const a = c.attr;
    assert.equal(c.cmd, BpfCmd.PROG_LOAD);
    assert.equal(a.readUInt32LE(0), ProgType.TRACING);
    assert.equal(a.readUInt32LE(4), 2);
    assert.deepEqual(sys.deref(a.readBigUInt64LE(8), 16), insns);
    assert.equal(sys.deref(a.readBigUInt64LE(16), 4).toString('latin1'), 'GPL\0');
    assert.equal(a.toString('latin1', 48, 56), 'probe_0\0');
    assert.equal(a.readUInt32LE(68), AttachType.TRACE_RAW_TP);
    assert.equal(a.readUInt32LE(108), 10306);
  }
  // First try: no log. Retry: level 1, 1 MiB.
  assert.deepEqual([first!.attr.readUInt32LE(24), first!.attr.readUInt32LE(28), first!.attr.readBigUInt64LE(32)], [0, 0, 0n]);
  assert.deepEqual([retry!.attr.readUInt32LE(24), retry!.attr.readUInt32LE(28)], [1, 1 << 20]);
});

test('PROG_LOAD: EPERM with an empty log says so without a log section', () => {
  const sys = new FakeSys();
  sys.fail('bpf', EPERM).fail('bpf', EPERM);
  assert.throws(
    () => progLoad(sys, { type: ProgType.TRACING, insns: RETURN(0), name: 'f' }),
    (e: unknown) => e instanceof BpfLoadError && e.log === '' && e.message === 'bpf(PROG_LOAD): EPERM (Operation not permitted): program f',
  );
});

test('PROG_LOAD grows the log on ENOSPC using log_true_size', () => {
  const sys = new FakeSys();
  sys.fail('bpf', EINVAL);
  sys.reply('bpf', (_c, live) => {
    live!.writeUInt32LE(3 << 20, 140);
    return { ret: -1, errno: ENOSPC };
  });
  sys.fail('bpf', EINVAL);
  assert.throws(() => progLoad(sys, { type: ProgType.KPROBE, insns: RETURN(0) }), (e: unknown) => e instanceof BpfLoadError && e.code === 'EINVAL');
  assert.equal(sys.callsOf('bpf')[2]!.attr.readUInt32LE(28), 4 << 20);
});

test('PROG_LOAD retries when the verifier gives up on a pending signal (EAGAIN), as libbpf', () => {
  const EAGAIN = 11;
  const sys = new FakeSys();
  sys.fail('bpf', EAGAIN).fail('bpf', EAGAIN).reply('bpf', { ret: 9, errno: 0 });
  assert.equal(progLoad(sys, { type: ProgType.KPROBE, insns: RETURN(0) }), 9);
  assert.equal(sys.callsOf('bpf').length, 3);
  // Never forever: after the first try and 5 retries the error is the verifier's (with the log).
  const stuck = new FakeSys();
  for (let i = 0; i < 20; i++) stuck.fail('bpf', EAGAIN);
  assert.throws(() => progLoad(stuck, { type: ProgType.KPROBE, insns: RETURN(0) }), (e: unknown) => e instanceof BpfLoadError && e.code === 'EAGAIN');
  assert.equal(stuck.callsOf('bpf').length, 12);
});

test('progLoadAsync: the first attempt on a worker, a failure retried with the log', async () => {
  const sys = new FakeSys();
  sys.reply('bpf', { ret: 7, errno: 0 });
  assert.equal(await progLoadAsync(sys, { type: ProgType.KPROBE, insns: RETURN(0) }), 7);
  const failing = new FakeSys();
  failing.fail('bpf', EINVAL).fail('bpf', EINVAL).fail('bpf', EINVAL);
  await assert.rejects(progLoadAsync(failing, { type: ProgType.KPROBE, insns: RETURN(0) }), (e: unknown) => e instanceof BpfLoadError && e.code === 'EINVAL');
  const logLevels = failing.callsOf('bpf').map((c) => c.attr.readUInt32LE(24));
  assert.deepEqual(logLevels, [0, 0, 1]);
});

test('PROG_TEST_RUN and attach attrs', () => {
  const sys = new FakeSys();
  sys.reply('bpf', (_c, live) => {
    live!.writeUInt32LE(42, 4);
    live!.writeUInt32LE(17, 36);
    return { ret: 0, errno: 0 };
  });
  const ctx = Buffer.alloc(16);
  const r = progTestRun(sys, 5, { ctxIn: ctx, repeat: 3 });
  assert.deepEqual([r.retval, r.duration], [42, 17]);
  const t = sys.callsOf('bpf')[0]!.attr;
  assert.deepEqual([t.readUInt32LE(0), t.readUInt32LE(32), t.readUInt32LE(40)], [5, 3, 16]);
  assert.deepEqual(sys.deref(t.readBigUInt64LE(48)), ctx);

  rawTracepointOpen(sys, 5, 'sched_switch');
  const rt = sys.callsOf('bpf')[1]!;
  assert.equal(rt.cmd, BpfCmd.RAW_TRACEPOINT_OPEN);
  assert.equal(sys.deref(rt.attr.readBigUInt64LE(0)).toString('latin1'), 'sched_switch\0');
  assert.equal(rt.attr.readUInt32LE(8), 5);

  linkCreatePerfEvent(sys, 5, 6, 99n);
  const lc = sys.callsOf('bpf')[2]!.attr;
  assert.deepEqual([lc.readUInt32LE(0), lc.readUInt32LE(4), lc.readUInt32LE(8), lc.readBigUInt64LE(16)], [5, 6, 41, 99n]);

  linkCreateUprobeMulti(sys, 5, { path: '/bin/true', offsets: [0x1000n, 0x2000n], retprobe: true, pid: 77 });
  const um = sys.callsOf('bpf')[3]!.attr;
  assert.equal(sys.deref(um.readBigUInt64LE(16)).toString('latin1'), '/bin/true\0');
  assert.equal(sys.deref(um.readBigUInt64LE(24), 16).readBigUInt64LE(8), 0x2000n);
  assert.deepEqual([um.readUInt32LE(8), um.readUInt32LE(48), um.readUInt32LE(52), um.readUInt32LE(56)], [48, 2, 1, 77]);
});

test('perf_event_open attr for a tracepoint, and SET_BPF', () => {
  const sys = new FakeSys();
  const fd = openTracepoint(sys, 305);
  const [c] = sys.callsOf('perfEventOpen');
  assert.deepEqual([c!.attr.readUInt32LE(0), c!.attr.readUInt32LE(4), c!.attr.readBigUInt64LE(8)], [2, 128, 305n]);
  assert.deepEqual([c!.pid, c!.cpu, c!.groupFd, c!.flags], [-1, 0, -1, 8]);
  perfSetBpf(sys, fd, 12);
  assert.deepEqual(sys.callsOf('ioctl')[0], { op: 'ioctl', fd, request: PerfIoctl.SET_BPF, arg: 12 });
  sys.fail('perfEventOpen', 2);
  assert.throws(() => openTracepoint(sys, 1, 'tracepoint syscalls:nope'), /perf_event_open: ENOENT \(No such file or directory\): tracepoint syscalls:nope/);
});

test('fd registry: closes each object once, newest first; async close for slow kinds', async () => {
  const sys = new FakeSys();
  const reg = new FdRegistry(sys);
  const map = reg.own(sys.allocFd(), 'map', 'm');
  const prog = reg.own(sys.allocFd(), 'prog', 'p');
  const perf = reg.own(sys.allocFd(), 'perf', 'tp');
  const link = reg.own(sys.allocFd(), 'link', 'l');
  for (const o of [map, prog, perf, link]) sys.openFds.add(o.fd);
  reg.close(prog);
  reg.close(prog);
  assert.equal(sys.callsOf('close').length, 1);
  const rep = await reg.closeAllAsync();
  assert.deepEqual(rep.errors, []);
  const closes = sys.callsOf('close');
  assert.deepEqual(closes.map((c) => [c.fd, c.async]), [[prog.fd, false], [link.fd, true], [perf.fd, true], [map.fd, false]]);
  assert.equal(reg.size, 0);
  assert.ok(map.closed && link.closed);
  assert.equal(sys.openFds.size, 0);
});

test('feature probes report what is missing, with errno and version', () => {
  const sys = new FakeSys();
  sys.fail('bpf', EPERM).fail('bpf', EPERM);
  const f = new Features(sys);
  const r = f.check('raw_tp');
  assert.equal(r.available, false);
  assert.equal(r.errno, 'EPERM');
  assert.match(r.reason, /^not available on this kernel: raw tracepoint programs \(needs Linux 4\.17 and .*; PROG_LOAD returned EPERM\)$/);
  assert.equal(f.check('raw_tp'), r, 'cached');
  assert.equal(f.check('ringbuf').available, true);
  assert.throws(() => f.require('raw_tp'), /not available on this kernel: raw tracepoint programs/);
});

/** Lay a record into a fake ring: header at pos & mask (the data area is double-mapped: write both copies). */
function putRecord(data: DataView, size: number, pos: number, payload: Buffer, flags = 0): number {
  const off = pos & (size - 1);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const rec = Buffer.alloc(8 + payload.length);
  rec.writeUInt32LE((payload.length | flags) >>> 0, 0);
  rec.writeUInt32LE(0, 4);
  payload.copy(rec, 8);
  for (let i = 0; i < rec.length; i++) {
    const p = off + i;
    bytes[p] = rec[i]!;
    if (p < size) bytes[p + size] = rec[i]!;
    else bytes[p - size] = rec[i]!;
  }
  return pos + ((8 + payload.length + 7) & ~7);
}

test('ring buffer protocol: BUSY stops, DISCARD skips, round-up, wraparound, consumer position', () => {
  const sys = new FakeSys();
  const page = pageSize();
  const size = page;
  const reader = RingBufferReader.open(sys, 55, size);
  const mm = sys.callsOf('mmap');
  assert.deepEqual(mm.map((c) => [c.length, c.prot, c.flags, c.fd, c.offset]), [[page, 3, 1, 55, 0], [page + 2 * size, 1, 1, 55, page]]);
  // The fake's mappings, in order: consumer page, producer page + data.
  const consBuf = sys.deref(sys.mmaps[0]!.addr);
  const prodBuf = sys.deref(sys.mmaps[1]!.addr);
  const data = new DataView(prodBuf.buffer, prodBuf.byteOffset + page, 2 * size);
  const setProd = (p: number): void => {
    prodBuf.writeBigUInt64LE(BigInt(p), 0);
  };
  const consPos = (): number => Number(consBuf.readBigUInt64LE(0));

  // Start near the end so records wrap around the ring.
  let pos = size - 24;
  consBuf.writeBigUInt64LE(BigInt(pos), 0);
  const start = pos;
  pos = putRecord(data, size, pos, Buffer.from('first'));
  pos = putRecord(data, size, pos, Buffer.from('dropped!'), 0x40000000);
  pos = putRecord(data, size, pos, Buffer.from('wraps around the end'));
  const busyAt = pos;
  pos = putRecord(data, size, pos, Buffer.from('not yet'), 0x80000000);
  setProd(pos);
  const got: string[] = [];
  const onRecord = (v: DataView, off: number, len: number): void => {
    got.push(Buffer.from(v.buffer, v.byteOffset + off, len).toString());
  };
  assert.equal(reader.drain(onRecord), 2);
  assert.deepEqual(got, ['first', 'wraps around the end']);
  assert.equal(consPos(), busyAt, 'stops at the BUSY record');
  assert.equal(busyAt - start, 16 + 16 + 32, 'lengths rounded up to 8 with the 8-byte header');
  assert.deepEqual(reader.counters, { records: 2, bytes: 25, discarded: 1, drains: 1 });
  // Commit the busy one.
  putRecord(data, size, busyAt, Buffer.from('not yet'));
  assert.equal(reader.drain(onRecord), 1);
  assert.equal(got[2], 'not yet');
  assert.equal(consPos(), pos);
  assert.equal(reader.drain(onRecord), 0);
  reader.close();
  assert.equal(sys.callsOf('munmap').length, 2);
});

test('poller state machine: epoll registration, drain on wake, eventfd on stop, onError stops', async () => {
  const sys = new FakeSys();
  const size = pageSize();
  const reader = RingBufferReader.open(sys, 66, size);
  const consBuf = sys.deref(sys.mmaps[0]!.addr);
  const prodBuf = sys.deref(sys.mmaps[1]!.addr);
  const data = new DataView(prodBuf.buffer, prodBuf.byteOffset + pageSize(), 2 * size);
  const got: string[] = [];
  const errors: unknown[] = [];
  const poller = new RingPoller(sys, { busyIntervalMs: 1 }).add(reader, (v, off, len) => {
    got.push(Buffer.from(v.buffer, v.byteOffset + off, len).toString());
  });
  poller.start();
  const ctl = sys.callsOf('epollCtl');
  assert.deepEqual(ctl.map((c) => [c.fd, c.events, c.data]), [[66, 1, 0], [ctl[1]!.fd, 1, 1]]);
  assert.equal(sys.callsOf('eventfd')[0]!.flags, 0x80800, 'EFD_CLOEXEC | EFD_NONBLOCK');
  let pos = putRecord(data, size, 0, Buffer.from('hello'));
  pos = putRecord(data, size, pos, Buffer.from('world'));
  prodBuf.writeBigUInt64LE(BigInt(pos), 0);
  while (got.length < 2) await new Promise((r) => setTimeout(r, 1));
  assert.deepEqual(got, ['hello', 'world']);
  assert.equal(Number(consBuf.readBigUInt64LE(0)), pos);
  assert.ok(poller.counters.epollWaits >= 1);

  // Idle again (an epoll_wait in flight): stop wakes it through the eventfd and closes its fds.
  await new Promise((r) => setTimeout(r, 3));
  await poller.stop();
  const wakeFd = ctl[1]!.fd;
  assert.ok(sys.callsOf('write').some((w) => w.fd === wakeFd && w.data.readBigUInt64LE(0) === 1n), 'eventfd written');
  const closed = sys.callsOf('close').map((c) => c.fd);
  assert.ok(closed.includes(ctl[0]!.epfd) && closed.includes(wakeFd));

  // A throwing handler stops the poller and goes to onError.
  const failing = new RingPoller(sys, { busyIntervalMs: 1, onError: (e) => errors.push(e) }).add(reader, (v, off, len) => {
    if (Buffer.from(v.buffer, v.byteOffset + off, len).toString() === 'boom') throw new Error('handler failed');
  });
  failing.start();
  pos = putRecord(data, size, pos, Buffer.from('boom'));
  prodBuf.writeBigUInt64LE(BigInt(pos), 0);
  while (errors.length === 0) await new Promise((r) => setTimeout(r, 1));
  assert.match(String(errors[0]), /handler failed/);
  assert.equal(failing.isRunning, false);
  assert.equal(Number(consBuf.readBigUInt64LE(0)), pos, 'the failing record counts as consumed');
  await new Promise((r) => setTimeout(r, 10));
  reader.close();
});
