// /proc/PID/maps parsing and user symbolization: this process, an exited child, a deleted binary.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ElfFile } from '../../src/runtime/meta/elf.js';
import { findMapping, parseMaps, readMaps, symbolizeUser, UserSymbolizer, type MapEntry } from '../../src/runtime/meta/procmaps.js';

const SAMPLE = `55d0c0a00000-55d0c0a02000 r--p 00000000 fd:01 1234                       /usr/bin/my prog
55d0c0a02000-55d0c0a08000 r-xp 00002000 fd:01 1234                       /usr/bin/my prog
55d0c1000000-55d0c1021000 rw-p 00000000 00:00 0                          [heap]
7f1e2a000000-7f1e2a100000 r-xp 00028000 08:02 99 /tmp/gone.so (deleted)
7f1e2b000000-7f1e2b001000 rw-p 00000000 00:00 0 
7ffd1c000000-7ffd1c002000 r-xp 00000000 00:00 0                          [vdso]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
`;

test('maps text parses, including spaces in paths, deleted files and anonymous memory', () => {
  const m = parseMaps(SAMPLE);
  assert.equal(m.length, 7);
  assert.deepEqual(m[1], { start: 0x55d0c0a02000n, end: 0x55d0c0a08000n, perms: 'r-xp', offset: 0x2000, dev: 'fd:01',
    inode: 1234, path: '/usr/bin/my prog', deleted: false });
  assert.equal(m[3]!.path, '/tmp/gone.so');
  assert.equal(m[3]!.deleted, true);
  assert.equal(m[4]!.path, '');
  assert.equal(m[6]!.start, 0xffffffffff600000n);
  assert.equal(findMapping(m, 0x55d0c0a02010n), m[1]);
  assert.equal(findMapping(m, 0x55d0c0a08000n), undefined);
  assert.equal(findMapping(m, 0x1000n), undefined);
  assert.equal(findMapping(m, 0x7ffd1c000001n)?.path, '[vdso]');
});

/** The address where `symbol` of the ELF at `path` is mapped in `maps`. */
function addressOf(maps: readonly MapEntry[], path: string, symbol: string): bigint {
  const off = ElfFile.open(path).symbolOffset(symbol);
  assert.ok(off !== undefined, `${symbol} in ${path}`);
  const m = maps.find((x) => x.path === path && x.offset <= off && BigInt(off - x.offset) < x.end - x.start);
  assert.ok(m, `${path} maps offset ${off}`);
  return m.start + BigInt(off - m.offset);
}

function libcPath(maps: readonly MapEntry[]): string {
  const m = maps.find((x) => /\/libc\.so\.6$/.test(x.path));
  assert.ok(m, 'libc is mapped');
  return m.path;
}

test('this process: getpid in libc', () => {
  const maps = readMaps(process.pid);
  const libc = libcPath(maps);
  const addr = addressOf(maps, libc, 'getpid');
  const s = symbolizeUser(process.pid, addr + 2n);
  assert.ok(s);
  assert.equal(s.name, 'getpid');
  assert.equal(s.offset, 2);
  assert.equal(s.module, 'libc.so.6');
  assert.equal(s.path, libc);
  assert.equal(symbolizeUser(process.pid, 8n), undefined, 'unmapped');
  const anon = maps.find((x) => x.path === '[stack]');
  if (anon) assert.deepEqual(symbolizeUser(process.pid, anon.start + 8n), { address: anon.start + 8n, path: '[stack]',
    module: '[stack]', fileOffset: undefined, name: undefined, offset: undefined, size: undefined });
});

async function startAndWaitFor(cmd: string, args: string[], ready: (maps: MapEntry[]) => boolean): Promise<ChildProcess> {
  const child = spawn(cmd, args, { stdio: 'ignore' });
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      if (ready(readMaps(child.pid!))) return child;
    } catch {
      // Not exec'd yet, or maps not yet readable.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${cmd} did not map what was expected`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function killAndReap(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

test('an exited process is symbolized from its captured maps', async () => {
  const child = await startAndWaitFor('/bin/sleep', ['30'], (maps) => maps.some((x) => /\/libc\.so\.6$/.test(x.path)));
  const pid = child.pid!;
  const sym = new UserSymbolizer();
  const maps = sym.capture(pid);
  const addr = addressOf(maps, libcPath(maps), 'getpid');
  await killAndReap(child);
  assert.throws(() => readMaps(pid));
  assert.equal(sym.symbolize(pid, addr + 1n)?.name, 'getpid');
  const other = new UserSymbolizer();
  assert.equal(other.symbolize(pid, addr + 1n), undefined, 'never captured, and gone');
  sym.forget(pid);
  assert.equal(sym.snapshot(pid), undefined);
});

test('a deleted binary is read through /proc/PID/map_files while the process lives', async (t) => {
  const self = readMaps(process.pid);
  const ld = self.find((x) => /\/ld-linux[^/]*\.so\.\d+$/.test(x.path))?.path;
  if (!ld) {
    t.skip('no ld-linux mapping in this process');
    return;
  }
  const target = ElfFile.open(ld).symbols().all().find((s) => s.bind !== 'local' && s.size > 16);
  if (!target) {
    t.skip('ld.so exports no sized function');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tstap-maps-'));
  const copy = join(dir, 'ld-copy.so');
  copyFileSync(ld, copy);
  chmodSync(copy, 0o755);
  let child: ChildProcess | undefined;
  try {
    // Running the loader directly makes the copy the process's main executable mapping.
    child = await startAndWaitFor(copy, ['/bin/sleep', '30'], (maps) => maps.some((x) => /\/libc\.so\.6$/.test(x.path)));
    const pid = child.pid!;
    const original = readFileSync(copy);
    unlinkSync(copy);
    const sym = new UserSymbolizer();
    const maps = sym.capture(pid, { loadSymbols: true });
    const m = maps.find((x) => x.path === copy && x.perms.includes('x'));
    assert.ok(m?.deleted, 'maps marks the copy deleted');
    const off = ElfFile.fromBuffer(original).symbolOffset(target.name)!;
    const addr = m.start + BigInt(off - m.offset);
    await killAndReap(child);
    child = undefined;
    const s = sym.symbolize(pid, addr + 3n);
    assert.equal(s?.name, target.name);
    assert.equal(s?.offset, 3);
    assert.equal(s?.module, 'ld-copy.so');
  } finally {
    if (child) await killAndReap(child);
    rmSync(dir, { recursive: true, force: true });
  }
});
