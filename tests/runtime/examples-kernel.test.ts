// Classic scheduler and block I/O scripts from examples/, run unmodified against known work.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTstap } from '../corpus-runner.js';
import { workload } from './kernel-fixtures.js';

test('schedtimes.stp: the target\'s time on CPU and its switches', async () => {
  const r = await runTstap(['examples/schedtimes.stp', '-c', workload('timed-getppid 300000')]);
  assert.equal(r.stderr, '');
  const [head, ...rows] = r.stdout.trimEnd().split('\n').filter((l) => !l.startsWith('ns_per_call'));
  assert.equal(head, 'PID     COMMAND             ON-CPU us   SWITCHES');
  const node = rows.map((l) => /^(\d+) +(\S+) +(\d+) +(\d+)$/.exec(l)).find((m) => m && m[2] === 'node');
  assert.ok(node, r.stdout);
  // 300k getppid calls at ~150 ns plus node's start-up: well over 20 ms on the CPU.
  assert.ok(Number(node[3]) >= 20000 && Number(node[4]) >= 1, r.stdout);
  for (const l of rows) assert.equal(l.split(/ +/)[0], node[1], 'only the target is shown');
});

test('biolatency.stp: eight direct 64 KiB writes, their latency histogram and device', async (t) => {
  const dir = fs.mkdtempSync(path.join('/var/tmp', 'tstap-bio-'));
  const dev = fs.statSync(dir).dev;
  const major = Math.floor(dev / 256) & 0xfff;
  const minor = (dev & 0xff) | ((Math.floor(dev / 0x100000) & 0xfff) << 8);
  if (!fs.existsSync(`/sys/dev/block/${major}:${minor}`)) return t.skip(`${dir} is not on a block device`);
  // The request queue belongs to the whole disk when dir is on a partition.
  const disk = fs.existsSync(`/sys/dev/block/${major}:${minor}/partition`)
    ? fs.readFileSync(`/sys/dev/block/${major}:${minor}/../dev`, 'latin1').trim() : `${major}:${minor}`;
  try {
    const r = await runTstap(['examples/biolatency.stp', '-c', `dd if=/dev/zero of=${dir}/data bs=64k count=8 oflag=direct status=none`]);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n');
    const m = /^(\d+) block I\/O requests, (\d+) us on average$/.exec(lines[0]!);
    assert.ok(m && Number(m[1]) >= 8, r.stdout);
    assert.equal(lines[1], 'value |-------------------------------------------------- count');
    const counted = lines.filter((l) => /^ *\d+ \|[@ ]* \d+$/.test(l)).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    assert.equal(counted, Number(m[1]));
    const [dmaj, dmin] = disk.split(':');
    assert.ok(lines.some((l) => new RegExp(`^ *${dmaj}:${dmin} +\\d+ +\\d+$`).test(l)), `${disk} in ${r.stdout}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
