// Finding ELF files by build ID (runtime/meta/build-ids.ts) and symbolizing user stack records
// (runtime/meta/ustack.ts) without a kernel: files written by tests/workloads/fp-elf.ts.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuildIdIndex, kernelBuildId, symbolizeBuildIdFile } from '../../src/runtime/meta/build-ids.js';
import { ElfFile } from '../../src/runtime/meta/elf.js';
import { readMaps } from '../../src/runtime/meta/procmaps.js';
import { formatUserFrame, UserStacks } from '../../src/runtime/meta/ustack.js';
import { framePointerProgram, FRAME_OFFSETS } from '../workloads/fp-elf.js';
import { withTempDir } from './kernel-fixtures.js';

const prog = (p: string, id: number) => framePointerProgram({
  start: `${p}_start`, outer: `${p}_outer`, inner: `${p}_inner`, syscall: 24, buildId: Buffer.alloc(20, id),
});
const hexId = (id: number) => Buffer.alloc(20, id).toString('hex');
/** File offset of INNER's frame: the program is one PT_LOAD from offset 0 at 0x400000. */
const INNER_AT = 0x11b + FRAME_OFFSETS.inner;

test('build IDs as the kernel stores them: 20 bytes, shorter ones zero-padded', () => {
  assert.equal(kernelBuildId('ab'.repeat(16)), 'ab'.repeat(16) + '0'.repeat(8));
  assert.equal(kernelBuildId('cd'.repeat(20)), 'cd'.repeat(20));
});

test('a candidate path is read when its build ID is wanted; other IDs are not taken for it', withTempDir((dir) => {
  writeFileSync(join(dir, 'a'), prog('a', 1));
  const index = new BuildIdIndex({ debugRoot: dir, libDirs: [] });
  index.candidate(join(dir, 'a'));
  assert.equal(index.find(hexId(2)), undefined);
  const f = index.find(hexId(1));
  assert.ok(f);
  assert.equal(f.path, join(dir, 'a'));
  const s = symbolizeBuildIdFile(f, INNER_AT);
  assert.deepEqual({ name: s?.name, offset: s?.offset }, { name: 'a_inner', offset: FRAME_OFFSETS.inner });
  // The symbol's size too (print_usyms' +0xOFF/0xSIZE): past the offset.
  assert.ok(typeof s?.size === 'number' && s.size > FRAME_OFFSETS.inner, String(s?.size));
  // Outside the file's code (a bogus frame the kernel attributed to the next mapping): nothing.
  assert.equal(symbolizeBuildIdFile(f, 0x10000), null);
}));

test('a file replaced before its build ID was wanted is not taken for the old one', withTempDir((dir) => {
  const path = join(dir, 'p');
  writeFileSync(path, prog('old', 1));
  const index = new BuildIdIndex({ debugRoot: dir, libDirs: [] });
  index.candidate(path);
  // Its build ID is read while looking for something else, then the file is replaced.
  assert.equal(index.find(hexId(9)), undefined);
  writeFileSync(join(dir, 'new'), prog('new', 2));
  renameSync(join(dir, 'new'), path);
  assert.equal(index.find(hexId(1)), undefined);
  const f = index.find(hexId(2));
  assert.ok(f);
  assert.equal(symbolizeBuildIdFile(f, INNER_AT)?.name, 'new_inner');
}));

test('a file added while it was there stays symbolizable after it is replaced', withTempDir((dir) => {
  const path = join(dir, 'p');
  writeFileSync(path, prog('old', 1));
  const index = new BuildIdIndex({ debugRoot: dir, libDirs: [] });
  assert.equal(index.add(ElfFile.open(path), path), hexId(1));
  writeFileSync(path, prog('new', 2));
  assert.equal(symbolizeBuildIdFile(index.find(hexId(1))!, INNER_AT)?.name, 'old_inner');
}));

test('an executable brings the libraries it needs: /bin/true finds libc by build ID', () => {
  const libc = readMaps(process.pid).find((m) => /\/libc\.so\.6$/.test(m.path))?.path;
  assert.ok(libc, 'libc is mapped here');
  const id = kernelBuildId(ElfFile.open(libc).buildId()!);
  const index = new BuildIdIndex();
  assert.equal(index.find(id), undefined);
  index.executable('/bin/true');
  const f = index.find(id);
  assert.ok(f);
  assert.match(f.path, /\/libc\.so\.6$/);
  const exit = f.elf.symbols().find('_exit')!;
  assert.equal(symbolizeBuildIdFile(f, f.elf.vaddrToOffset(exit.value)! + 3)?.name, '_exit');
});

test('an address-only frame uses a maps snapshot only for records of the same exec', async () => {
  const child = spawn('/bin/sleep', ['30'], { stdio: 'ignore' });
  try {
    const pid = child.pid!;
    let maps = readMaps(pid);
    for (let i = 0; i < 500 && !maps.some((m) => /\/libc\.so\.6$/.test(m.path)); i++) {
      await new Promise((r) => setTimeout(r, 10));
      maps = readMaps(pid);
    }
    const m = maps.find((x) => /\/libc\.so\.6$/.test(x.path) && x.perms.includes('x'))!;
    const elf = ElfFile.open(m.path);
    const exit = elf.vaddrToOffset(elf.symbols().find('_exit')!.value)!;
    const ip = m.start + BigInt(exit - m.offset + 2);
    const exec = process.hrtime.bigint();
    const frames = [{ ip, buildId: undefined, fileOffset: undefined }];
    // The kernel saw the exec at `exec`: a record from before it is of an image that is gone.
    const stacks = new UserStacks(() => ({ time: exec, path: '/bin/sleep' }));
    assert.equal(stacks.format({ pid, time: exec + 1n, frames }), formatUserFrame(ip, { module: 'libc.so.6', fileOffset: exit + 2, name: '_exit', offset: 2 }));
    assert.equal(stacks.format({ pid, time: exec - 1n, frames }), ` 0x${ip.toString(16)} [unknown+0x0]\n`);
  } finally {
    child.kill('SIGKILL');
  }
});
