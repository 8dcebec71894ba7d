// Real maps on this kernel: every map type tstap uses, and a 1000-entry hash through every
// access path (update/lookup/delete, GET_NEXT_KEY walk, LOOKUP_BATCH) with exact contents.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { sanitizeObjName } from '../../src/runtime/sys/attr.js';
import { BPF_EXIST, BPF_NOEXIST, MapType } from '../../src/runtime/sys/bpf-const.js';
import { batchEntry, mapCreate, mapDelete, mapInfo, mapKeys, mapLookup, mapLookupBatch, mapUpdate, type MapCreateOptions } from '../../src/runtime/sys/bpf.js';
import { numPossibleCpus, percpuSlot, percpuSumU64 } from '../../src/runtime/sys/cpus.js';
import { FdRegistry } from '../../src/runtime/sys/fd.js';
import { koffiSys } from '../../src/runtime/sys/koffi-sys.js';
import { pageSize } from '../../src/runtime/sys/ringbuf.js';
import { isErrno } from '../../src/runtime/sys/syscall.js';
import { expectNoLeaks, kernelFds, skipUnless } from './sys-fixtures.js';

const sys = koffiSys();

function create(reg: FdRegistry, o: MapCreateOptions) {
  const m = mapCreate(sys, o);
  reg.own(m.fd, 'map', o.name ?? 'map');
  return m;
}

test('creates every map type tstap uses, with names the kernel reports back', (t) => {
  if (skipUnless(t, 'bpf', 'percpu_hash', 'percpu_array', 'stack_trace', 'ringbuf')) return;
  const before = kernelFds();
  const reg = new FdRegistry(sys);
  try {
    const specs: MapCreateOptions[] = [
      { type: MapType.HASH, keySize: 8, valueSize: 8, maxEntries: 10240, name: 'stap_hash' },
      { type: MapType.ARRAY, keySize: 4, valueSize: 64, maxEntries: 16, name: 'stap_array' },
      { type: MapType.PERCPU_HASH, keySize: 16, valueSize: 24, maxEntries: 128, name: 'stap_pchash' },
      { type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, name: 'stap_parray' },
      { type: MapType.STACK_TRACE, keySize: 4, valueSize: 8 * 127, maxEntries: 1024, name: 'stap_stacks' },
      { type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 64 * pageSize(), name: 'stap_ring' },
      { type: MapType.HASH, keySize: 4, valueSize: 4, maxEntries: 8, flags: 1, name: 'stap-no prealloc hash' },
    ];
    for (const s of specs) {
      const m = create(reg, s);
      const info = mapInfo(sys, m.fd);
      assert.equal(info.type, s.type);
      assert.equal(info.keySize, s.keySize);
      assert.equal(info.valueSize, s.valueSize);
      assert.equal(info.maxEntries, s.maxEntries);
      assert.equal(info.name, sanitizeObjName(s.name!));
      if (s.name!.length > 15) assert.equal(info.name, 'stap_no_preallo');
    }
    // The kernel's own checks come back as SysErrors naming the command.
    assert.throws(
      () => create(reg, { type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 12345, name: 'bad_ring' }),
      (e: unknown) => isErrno(e, 'EINVAL') && /bpf\(MAP_CREATE\): EINVAL .*map bad_ring/.test((e as Error).message),
    );
  } finally {
    reg.closeAll();
  }
  expectNoLeaks(before);
});

test('hash with 1000 entries: update, lookup, walk, batch lookup, delete — exact contents', (t) => {
  if (skipUnless(t, 'bpf', 'batch_ops')) return;
  const before = kernelFds();
  const reg = new FdRegistry(sys);
  try {
    const m = create(reg, { type: MapType.HASH, keySize: 8, valueSize: 16, maxEntries: 1000, name: 'h1000' });
    const key = (i: number): Buffer => {
      const k = Buffer.alloc(8);
      k.writeBigUInt64LE(BigInt(i) * 7919n + 3n);
      return k;
    };
    const value = (i: number): Buffer => {
      const v = Buffer.alloc(16);
      v.writeBigUInt64LE(BigInt(i));
      v.writeBigUInt64LE(BigInt(i) * BigInt(i), 8);
      return v;
    };
    for (let i = 0; i < 1000; i++) mapUpdate(sys, m.fd, key(i), value(i), BPF_NOEXIST);
    // Full: one more is E2BIG; NOEXIST on a present key is EEXIST; EXIST on an absent one ENOENT.
    assert.throws(() => mapUpdate(sys, m.fd, key(1000), value(1000)), (e: unknown) => isErrno(e, 'E2BIG'));
    assert.throws(() => mapUpdate(sys, m.fd, key(5), value(5), BPF_NOEXIST), (e: unknown) => isErrno(e, 'EEXIST'));
    assert.throws(() => mapUpdate(sys, m.fd, key(1000), value(5), BPF_EXIST), (e: unknown) => isErrno(e, 'ENOENT'));

    const out = Buffer.alloc(16);
    for (let i = 0; i < 1000; i++) {
      assert.ok(mapLookup(sys, m.fd, key(i), out));
      assert.deepEqual(out, value(i));
    }
    assert.equal(mapLookup(sys, m.fd, key(5000), out), false);

    const expected = new Map<string, string>();
    for (let i = 0; i < 1000; i++) expected.set(key(i).toString('hex'), value(i).toString('hex'));

    const walked = mapKeys(sys, m.fd, 8).map((k) => k.toString('hex'));
    assert.equal(walked.length, 1000);
    assert.deepEqual(new Set(walked), new Set(expected.keys()));

    for (const batchSize of [1, 64, 1000]) {
      const b = mapLookupBatch(sys, m.fd, 8, 16, 1000, batchSize);
      assert.equal(b.count, 1000);
      const got = new Map<string, string>();
      for (let i = 0; i < b.count; i++) {
        const e = batchEntry(b, i);
        got.set(e.key.toString('hex'), e.value.toString('hex'));
      }
      assert.deepEqual(got, expected);
    }

    for (let i = 0; i < 1000; i += 2) assert.ok(mapDelete(sys, m.fd, key(i)));
    assert.equal(mapDelete(sys, m.fd, key(0)), false);
    const rest = mapLookupBatch(sys, m.fd, 8, 16, 1000);
    assert.equal(rest.count, 500);
    for (let i = 0; i < rest.count; i++) {
      const n = Number(batchEntry(rest, i).value.readBigUInt64LE(0));
      assert.equal(n % 2, 1);
      assert.equal(batchEntry(rest, i).key.toString('hex'), key(n).toString('hex'));
    }
    // An empty map: the first batch is already the last (ENOENT, count 0).
    const empty = create(reg, { type: MapType.HASH, keySize: 4, valueSize: 4, maxEntries: 4 });
    assert.equal(mapLookupBatch(sys, empty.fd, 4, 4, 4).count, 0);
    assert.deepEqual(mapKeys(sys, empty.fd, 4), []);
  } finally {
    reg.closeAll();
  }
  expectNoLeaks(before);
});

test('per-CPU maps: one 8-byte-aligned slot per possible CPU', (t) => {
  if (skipUnless(t, 'percpu_array', 'percpu_hash')) return;
  const before = kernelFds();
  const reg = new FdRegistry(sys);
  try {
    const n = numPossibleCpus();
    const arr = create(reg, { type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: 12, maxEntries: 2, name: 'parr' });
    assert.equal(arr.valueBufSize, n * 16);
    const v = Buffer.alloc(arr.valueBufSize);
    for (let c = 0; c < n; c++) {
      const slot = percpuSlot(v, c, 12);
      slot.writeUInt32LE(100 + c, 0);
      slot.writeUInt32LE(200 + c, 8);
    }
    const k = Buffer.alloc(4);
    k.writeUInt32LE(1);
    mapUpdate(sys, arr.fd, k, v);
    const back = Buffer.alloc(arr.valueBufSize);
    assert.ok(mapLookup(sys, arr.fd, k, back));
    for (let c = 0; c < n; c++) {
      assert.equal(percpuSlot(back, c, 12).readUInt32LE(0), 100 + c);
      assert.equal(percpuSlot(back, c, 12).readUInt32LE(8), 200 + c);
    }
    k.writeUInt32LE(2);
    assert.throws(() => mapUpdate(sys, arr.fd, k, v), (e: unknown) => isErrno(e, 'E2BIG'));

    const h = create(reg, { type: MapType.PERCPU_HASH, keySize: 4, valueSize: 8, maxEntries: 100, name: 'phash' });
    const cnt = Buffer.alloc(h.valueBufSize);
    for (let c = 0; c < n; c++) cnt.writeBigUInt64LE(BigInt(c + 1), c * 8);
    for (let i = 0; i < 50; i++) {
      k.writeUInt32LE(i);
      mapUpdate(sys, h.fd, k, cnt);
    }
    const b = mapLookupBatch(sys, h.fd, 4, h.valueBufSize, 100, 7);
    assert.equal(b.count, 50);
    for (let i = 0; i < b.count; i++) assert.equal(percpuSumU64(batchEntry(b, i).value), BigInt((n * (n + 1)) / 2));
  } finally {
    reg.closeAll();
  }
  expectNoLeaks(before);
});
