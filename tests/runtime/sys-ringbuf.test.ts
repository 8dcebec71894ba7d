// Real ring buffers: a tracepoint program emits one record per getppid(2) of the workload, the
// consumer (epoll while idle, timer while busy) must see exactly N records with exact payloads.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { MapType, ProgType } from '../../src/runtime/sys/bpf-const.js';
import { mapCreate } from '../../src/runtime/sys/bpf.js';
import { FdRegistry } from '../../src/runtime/sys/fd.js';
import { koffiSys } from '../../src/runtime/sys/koffi-sys.js';
import { linkCreatePerfEvent } from '../../src/runtime/sys/link.js';
import { openTracepoint, tracepointId } from '../../src/runtime/sys/perf.js';
import { progLoad } from '../../src/runtime/sys/prog.js';
import { RingPoller } from '../../src/runtime/sys/ringbuf-poller.js';
import { RingBufferReader } from '../../src/runtime/sys/ringbuf.js';
import { ensureTracefs } from '../../src/runtime/sys/tracefs-mount.js';
import { expectNoLeaks, kernelFds, skipUnless, startWorkload, tgidReserveDiscard, tgidRingbufEmitter } from './sys-fixtures.js';

const sys = koffiSys();

/** Maps + program + tracepoint attach for `build`, owned by `reg`. */
function setup(reg: FdRegistry, ringSize: number, tgid: number, build: (ring: number, seq: number, tgid: number) => Buffer) {
  const ring = mapCreate(sys, { type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: ringSize, name: 'events' });
  reg.own(ring.fd, 'map', 'ringbuf');
  const seq = mapCreate(sys, { type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, name: 'seq' });
  reg.own(seq.fd, 'map', 'seq');
  const prog = reg.own(progLoad(sys, { type: ProgType.TRACEPOINT, insns: build(ring.fd, seq.fd, tgid), name: 'emit_getppid' }), 'prog', 'emit');
  const id = tracepointId(ensureTracefs(sys), 'syscalls', 'sys_enter_getppid');
  const perf = reg.own(openTracepoint(sys, id), 'perf', 'sys_enter_getppid');
  reg.own(linkCreatePerfEvent(sys, prog.fd, perf.fd), 'link', 'emit');
  return { ring };
}

test('ringbuf_output records consumed by the poller: exactly N, in order, exact payloads, across wraparounds', async (t) => {
  if (skipUnless(t, 'ringbuf', 'tracepoint', 'perf_link')) return;
  const before = kernelFds();
  // 4 MiB holds ~175k 24-byte records: 300k wrap it. The workload runs at up to 3 M calls/s,
  // faster than a cold JS consumer: bursts with 1 ms pauses keep any consumer stall under the
  // ~90 ms of production the ring can absorb, so the count is exact without being lucky.
  const N = 300_000;
  const RING = 4 << 20;
  const reg = new FdRegistry(sys);
  const wl = await startWorkload(N, 5000, 1);
  try {
    const { ring } = setup(reg, RING, wl.pid, tgidRingbufEmitter);
    const reader = RingBufferReader.open(sys, ring.fd, RING, reg);
    let next = 0;
    const bad: string[] = [];
    const poller = new RingPoller(sys, { busyIntervalMs: 2 });
    poller.add(reader, (v, off, len) => {
      if (len !== 16) bad.push(`record ${next}: length ${len}`);
      const tid = v.getUint32(off, true);
      const tgid = v.getUint32(off + 4, true);
      const seq = Number(v.getBigUint64(off + 8, true));
      if (tgid !== wl.pid || tid !== wl.pid || seq !== next) {
        if (bad.length < 5) bad.push(`record ${next}: tid ${tid} tgid ${tgid} seq ${seq} (workload ${wl.pid})`);
      }
      next++;
    });
    poller.start();
    const t0 = performance.now();
    await wl.run();
    const ms = performance.now() - t0;
    // Wait for the tail to be consumed, then stop (which drains once more).
    while (reader.counters.records < N && performance.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 5));
    await poller.stop();
    assert.deepEqual(bad, []);
    assert.equal(next, N);
    assert.deepEqual(reader.counters, { records: N, bytes: 16 * N, discarded: 0, drains: reader.counters.drains });
    assert.equal(reader.pending, 0);
    assert.ok(poller.counters.epollWaits >= 1, 'went through epoll while idle');
    t.diagnostic(`${N} records in ${ms.toFixed(0)} ms; ${reader.counters.drains} drains, ${poller.counters.epollWaits} epoll returns, ${poller.counters.timerPolls} timer polls`);
    reader.close();
  } finally {
    wl.kill();
    await reg.closeAllAsync();
  }
  expectNoLeaks(before);
});

test('reserve/submit/discard: DISCARD records are skipped and counted', async (t) => {
  if (skipUnless(t, 'ringbuf', 'tracepoint', 'perf_link')) return;
  const before = kernelFds();
  const N = 2001;
  const RING = 64 * 1024;
  const reg = new FdRegistry(sys);
  const wl = await startWorkload(N);
  try {
    const { ring } = setup(reg, RING, wl.pid, tgidReserveDiscard);
    const reader = RingBufferReader.open(sys, ring.fd, RING, reg);
    await wl.run();
    const seqs: number[] = [];
    const delivered = reader.drain((v, off, len) => {
      assert.equal(len, 8);
      seqs.push(Number(v.getBigUint64(off, true)));
    });
    assert.equal(delivered, 1001);
    assert.deepEqual(seqs, Array.from({ length: 1001 }, (_, i) => 2 * i));
    assert.deepEqual(reader.counters, { records: 1001, bytes: 8 * 1001, discarded: 1000, drains: 1 });
    assert.equal(reader.drain(() => assert.fail('nothing left')), 0);
    reader.close();
  } finally {
    wl.kill();
    reg.closeAll();
  }
  expectNoLeaks(before);
});

test('an idle poller stops at once (the eventfd interrupts epoll_wait) and drains what is left', async (t) => {
  if (skipUnless(t, 'ringbuf')) return;
  const before = kernelFds();
  const reg = new FdRegistry(sys);
  try {
    const ring = mapCreate(sys, { type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 1 << 16 });
    reg.own(ring.fd, 'map', 'ring');
    const reader = RingBufferReader.open(sys, ring.fd, 1 << 16, reg);
    const poller = new RingPoller(sys, { idleTimeoutMs: 60_000 }).add(reader, () => assert.fail('no records'));
    poller.start();
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    await poller.stop();
    const ms = performance.now() - t0;
    t.diagnostic(`stop took ${ms.toFixed(2)} ms`);
    assert.ok(ms < 1000, `stop took ${ms} ms`);
    assert.equal(poller.isRunning, false);
    reader.close();
  } finally {
    reg.closeAll();
  }
  expectNoLeaks(before);
});
