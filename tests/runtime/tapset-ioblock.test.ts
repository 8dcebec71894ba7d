// The block I/O tapset (tapset/linux/ioblock.stp, block:* tracepoints): direct writes of a
// known size by dd to a file in the temporary directory, from bio to completed request.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTstap } from '../corpus-runner.js';
import { script } from './kernel-fixtures.js';

/** The kernel's name of the block device holding `dir` ("vda", "vda1"), or null (tmpfs ...). */
function blockDevice(dir: string): string | null {
  const dev = fs.statSync(dir).dev;
  const major = Math.floor(dev / 256) & 0xfff;
  const minor = (dev & 0xff) | ((Math.floor(dev / 0x100000) & 0xfff) << 8);
  try {
    return /^DEVNAME=(.*)$/m.exec(fs.readFileSync(`/sys/dev/block/${major}:${minor}/uevent`, 'latin1'))?.[1] ?? null;
  } catch {
    return null;
  }
}

test('ioblock.request and ioscheduler_trace.*: dd\'s three 64 KiB direct writes, their device, and each request completed', async (t) => {
  const dir = path.dirname(script(''));
  const devname = blockDevice(dir);
  if (!devname) return t.skip(`${dir} is not on a block device`);
  const r = await runTstap(['-c', `dd if=/dev/zero of=${dir}/data bs=64k count=3 oflag=direct status=none`, script(`
global bytes, bios, issued, added, done
probe ioblock.request {
  if (pid() == target() && rw == 1) { bytes += size; bios[name, devname, ino, size == bytes_done && vcnt > 0 && sector > 0]++ }
}
probe ioscheduler.elv_add_request { if (pid() == target() && (rq_flags & 0xff) == 1) added++ }
probe ioscheduler_trace.elv_issue_request { if (pid() == target() && (rq_flags & 0xff) == 1) issued[rq] = 1 }
probe ioscheduler_trace.elv_completed_request { if (rq in issued && error == 0) { done++; delete issued[rq] } }
probe end {
  foreach ([n, d, i, ok] in bios) printf("%s %s ino=%d %d\\n", n, d, i, ok)
  printf("bytes=%d added=%d completed=%d\\n", bytes, added > 0, done > 0)
}
`)]);
  assert.equal(r.stderr, '');
  // Direct I/O buffers are anonymous memory: no file behind the first page (ino -1, as stap).
  assert.equal(r.stdout, `ioblock.request ${devname} ino=-1 1\nbytes=196608 added=1 completed=1\n`);
  assert.equal(r.rc, 0);
});

test('ioblock.end has no tracepoint seeing every completion: the error names bio_endio', async () => {
  const r = await runTstap(['-e', 'probe ioblock.end { exit() }']);
  if (r.rc !== 0) assert.match(r.stderr, /kernel\.function\("bio_endio"\)/);
});
