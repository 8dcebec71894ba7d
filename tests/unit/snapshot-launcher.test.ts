// bin/tstap starts from the V8 startup snapshot (tools/build-snapshot.ts) when it can, and from
// the plain bundle otherwise: both must behave identically, and no snapshot may ever make a
// run fail or see the build's process state.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../corpus-runner.js';

const DIST = path.join(ROOT, 'dist');
const hasSnapshot = fs.existsSync(path.join(DIST, 'tstap.stamp'));
const skip = hasSnapshot ? false : 'no startup snapshot was built';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(cmd, args, { encoding: 'latin1', env, cwd: os.tmpdir() });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status, pid: r.pid };
}

const plain = (args: string[]) => run(process.execPath, [path.join(DIST, 'tstap.js'), ...args]);
const launcher = (dir: string, args: string[], env?: NodeJS.ProcessEnv) => run(path.join(dir, 'bin/tstap'), args, env);

const CASES = [
  ['-e', 'probe begin { printf("%s %d\\n", "x", 6 * 7); exit() }'],
  ['-e', 'probe begin { x = 1 / 0 }'],
  ['-p1', '-e', 'probe begin { println(@1) }', 'arg'],
  ['-e', 'probe begin { println(undefined_fn()) }'],
  ['-V'],
  ['--no-such-option'],
];

test('bin/tstap (snapshot) and the plain bundle agree', { skip }, () => {
  for (const args of CASES) assert.deepEqual({ ...launcher(ROOT, args), pid: 0 }, { ...plain(args), pid: 0 }, args.join(' '));
});

test('V8 flags in NODE_OPTIONS (which the blob would refuse) run the bundle', { skip }, () => {
  const env = { ...process.env, NODE_OPTIONS: '--max-old-space-size=4096' };
  assert.deepEqual({ ...launcher(ROOT, CASES[0]!, env), pid: 0 }, { ...plain(CASES[0]!), pid: 0 });
});

test('a snapshot run sees its own process, not the build', { skip }, () => {
  const r = launcher(ROOT, ['-e', 'probe begin { printf("%d\\n", pid()); exit() }']);
  assert.equal(r.stdout, `${r.pid}\n`);
});

test('a stale, moved or foreign snapshot falls back to the bundle', { skip }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tstap-launcher-'));
  try {
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.copyFileSync(path.join(ROOT, 'bin/tstap'), path.join(dir, 'bin/tstap'));
    fs.chmodSync(path.join(dir, 'bin/tstap'), 0o755);
    for (const f of ['tstap.js', 'tstap.blob', 'tstap.stamp']) fs.copyFileSync(path.join(DIST, f), path.join(dir, 'dist', f));
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
    fs.symlinkSync(path.join(ROOT, 'tapset'), path.join(dir, 'tapset'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    const args = CASES[0]!;
    const want = plain(args);
    // The copy's blob differs from its stamp (copying changed its mtime): the bundle runs.
    assert.deepEqual({ ...launcher(dir, args), pid: 0 }, { ...want, pid: 0 }, 'foreign stamp');
    // A matching stamp, but the tree moved: the snapshot's main loads the bundle from here.
    const st = fs.statSync(path.join(dir, 'dist/tstap.blob'), { bigint: true });
    const [flags, identities] = fs.readFileSync(path.join(DIST, 'tstap.stamp'), 'latin1').split('\n');
    const node = identities!.split(' ')[0];
    const mtime = `${st.mtimeNs / 1_000_000_000n}.${(st.mtimeNs % 1_000_000_000n).toString().padStart(9, '0')}`;
    fs.writeFileSync(path.join(dir, 'dist/tstap.stamp'), `${flags}\n${node} ${st.size}:${mtime} \n`);
    assert.deepEqual({ ...launcher(dir, args), pid: 0 }, { ...want, pid: 0 }, 'moved tree');
    // UV_THREADPOOL_SIZE is read when modules load: never from a snapshot.
    assert.deepEqual({ ...launcher(dir, args, { ...process.env, UV_THREADPOOL_SIZE: '8' }), pid: 0 }, { ...want, pid: 0 }, 'env');
    // No blob: the bundle.
    fs.rmSync(path.join(dir, 'dist/tstap.blob'));
    assert.deepEqual({ ...launcher(dir, args), pid: 0 }, { ...want, pid: 0 }, 'no blob');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('kernel probes from the snapshot (koffi\'s native module opened directly) and from the bundle agree', { skip: skip || (process.getuid?.() !== 0 && 'needs root for BPF') }, () => {
  const args = ['-c', 'true', '-e', 'global n; probe kernel.trace("syscalls:sys_enter_getppid") { n++ } probe end { printf("ok %d\\n", n >= 0) }'];
  const want = { stdout: 'ok 1\n', stderr: '', status: 0 };
  const { stdout, stderr, status } = launcher(ROOT, args);
  assert.deepEqual({ stdout, stderr, status }, want);
  const p = plain(args);
  assert.deepEqual({ stdout: p.stdout, stderr: p.stderr, status: p.status }, want);
});

test('NODE_EXTRA_CA_CERTS, set aside for node\'s start-up, reaches the -c command as it was', { skip }, () => {
  const show = ['-c', 'sh -c \'echo "[${NODE_EXTRA_CA_CERTS-unset}] [${TSTAP_NODE_EXTRA_CA_CERTS-unset}]"\'', '-e', 'probe begin { print("") }'];
  const env = (v: string | undefined) => {
    const e = { ...process.env };
    delete e['NODE_EXTRA_CA_CERTS'];
    if (v !== undefined) e['NODE_EXTRA_CA_CERTS'] = v;
    return e;
  };
  assert.equal(launcher(ROOT, show, env('/no/such/bundle.pem')).stdout, '[/no/such/bundle.pem] [unset]\n');
  assert.equal(launcher(ROOT, show, env('')).stdout, '[] [unset]\n');
  assert.equal(launcher(ROOT, show, env(undefined)).stdout, '[unset] [unset]\n');
});
