// bpf(2) program commands: PROG_LOAD with the verifier log strategy, PROG_TEST_RUN, program info.

import { cString, cStringAt, type Attr } from './attr.js';
import { BPF_INSN_SIZE, BpfCmd } from './bpf-const.js';
import { bpfAttr, bpfTry, objGetInfo } from './bpf.js';
import { SysError, type SysApi } from './syscall.js';

export interface ProgLoadOptions {
  type: number;
  /** 8-byte instructions, little-endian (map fds already patched into ld_imm64). */
  insns: Buffer;
  /** "GPL" unless told otherwise: most tracing helpers are GPL-only (EINVAL without it). */
  license?: string;
  name?: string;
  expectedAttachType?: number;
  attachBtfId?: number;
  /** attach_btf_obj_fd (module BTF) or attach_prog_fd; 0 = vmlinux. */
  attachBtfObjFd?: number;
  progFlags?: number;
  progBtfFd?: number;
  /** Force a verifier log level on the first load (1 = errors, 2 = every state; 4 = stats). */
  logLevel?: number;
  /** Log buffer bytes for the retry; 1 MiB by default, grown to 16 MiB when the kernel says it is short. */
  logSize?: number;
  /** fd_array for BPF_PSEUDO_MAP_IDX relocations. */
  fdArray?: readonly number[];
  /** bpf_func_info records (needs progBtfFd): one per subprogram, for callbacks (func-btf.ts). */
  funcInfo?: { recSize: number; records: Buffer; count: number };
}

/** A rejected PROG_LOAD: the errno of the first attempt plus the verifier's log (may be empty, e.g. EPERM by policy). */
export class BpfLoadError extends SysError {
  readonly log: string;
  readonly progName: string;
  constructor(errno: number, log: string, progName: string) {
    const tail = log.trim() ? `\nverifier log:\n${log.trimEnd()}` : '';
    super('bpf(PROG_LOAD)', errno, `${progName ? `program ${progName}` : 'program'}${tail}`);
    this.name = 'BpfLoadError';
    this.log = log;
    this.progName = progName;
  }
}

const DEFAULT_LOG_SIZE = 1 << 20;
const MAX_LOG_SIZE = 16 << 20;

/** PROG_LOAD attr for given log settings (exported for unit tests of the encoding). */
export function encodeProgLoad(sys: SysApi, o: ProgLoadOptions, license: Buffer, log: Buffer | null, logLevel: number, fdArray: Buffer | null): Attr {
  if (o.insns.length % BPF_INSN_SIZE !== 0) throw new Error(`program ${o.name ?? ''}: ${o.insns.length} bytes is not a whole number of instructions`);
  return bpfAttr(sys)
    .u32(0, o.type)
    .u32(4, o.insns.length / BPF_INSN_SIZE)
    .ptr(8, o.insns)
    .ptr(16, license)
    .u32(24, log ? logLevel : 0)
    .u32(28, log ? log.length : 0)
    .ptr(32, log)
    .u32(44, o.progFlags ?? 0)
    .objName(48, o.name)
    .u32(68, o.expectedAttachType ?? 0)
    .u32(72, o.progBtfFd ?? 0)
    .u32(76, o.funcInfo?.recSize ?? 0)
    .ptr(80, o.funcInfo?.records)
    .u32(88, o.funcInfo?.count ?? 0)
    .u32(108, o.attachBtfId ?? 0)
    .u32(112, o.attachBtfObjFd ?? 0)
    .ptr(120, fdArray);
}

/**
 * The verifier gives up with EAGAIN when a signal is pending (a profiler's SIGPROF, a child's
 * SIGCHLD); libbpf retries such a load, and so do we.
 */
const EAGAIN_RETRIES = 5;
function loadAttempt(sys: SysApi, attr: ReturnType<typeof encodeProgLoad>) {
  let res = bpfTry(sys, BpfCmd.PROG_LOAD, attr);
  for (let i = 0; res.ret < 0 && res.errno === 11 && i < EAGAIN_RETRIES; i++) res = bpfTry(sys, BpfCmd.PROG_LOAD, attr);
  return res;
}

/** log_level 4: the verifier's statistics only ("processed N insns ..."). */
const LOG_STATS = 4;

/**
 * TSTAP_VERIFIER_STATS=1 (a developer's switch): every program load prints the verifier's
 * "processed N insns" line to stderr, to see what a construct costs the verifier.
 */
function verifierStats(): boolean {
  return !!process.env['TSTAP_VERIFIER_STATS'];
}

/**
 * BPF_PROG_LOAD, libbpf's way: load without a log (fast, no log formatting in the kernel); on
 * failure load again with log_level 1 and a big buffer, and throw the first errno with that log.
 * Returns the program fd; the caller owns it.
 */
export function progLoad(sys: SysApi, o: ProgLoadOptions): number {
  const license = cString(o.license ?? 'GPL');
  const fdArray = fdArrayOf(o);
  const stats = verifierStats();
  const forced = o.logLevel ?? (stats ? LOG_STATS : 0);
  let log: Buffer | null = forced ? Buffer.alloc(o.logSize ?? DEFAULT_LOG_SIZE) : null;
  let res = loadAttempt(sys, encodeProgLoad(sys, o, license, log, forced, fdArray));
  if (res.ret >= 0) {
    if (stats && log) process.stderr.write(`${o.name ?? 'program'}: ${cStringAt(log, 0, log.length).trim().split('\n').filter((l) => l.startsWith('processed')).join(' ')}\n`);
    return res.ret;
  }
  const firstErrno = res.errno;
  let size = o.logSize ?? DEFAULT_LOG_SIZE;
  for (;;) {
    log = Buffer.alloc(size);
    const attr = encodeProgLoad(sys, o, license, log, forced || 1, fdArray);
    res = loadAttempt(sys, attr);
    // The retry can succeed (the verifier is deterministic, but a racing map change is not): keep it.
    if (res.ret >= 0) return res.ret;
    // ENOSPC: the log did not fit; log_true_size (@140, Linux 6.4) says how much it needs.
    if (res.errno === 28 && size < MAX_LOG_SIZE) {
      const need = attr.readU32(140);
      size = Math.min(MAX_LOG_SIZE, Math.max(size * 4, need));
      continue;
    }
    break;
  }
  throw new BpfLoadError(firstErrno, cStringAt(log, 0, log.length), o.name ?? '');
}

/**
 * progLoad with the first attempt on a worker thread, so that several programs verify at once
 * (the kernel's verifier is most of the time of loading many). A failure goes the synchronous
 * way: retries, the log.
 */
export async function progLoadAsync(sys: SysApi, o: ProgLoadOptions): Promise<number> {
  if (!o.logLevel && !verifierStats()) {
    const attr = encodeProgLoad(sys, o, cString(o.license ?? 'GPL'), null, 0, fdArrayOf(o));
    const res = await sys.bpfAsync(BpfCmd.PROG_LOAD, attr.buf, attr.buf.length, attr.refs);
    if (res.ret >= 0) return res.ret;
  }
  return progLoad(sys, o);
}

function fdArrayOf(o: ProgLoadOptions): Buffer | null {
  if (!o.fdArray?.length) return null;
  const b = Buffer.alloc(o.fdArray.length * 4);
  o.fdArray.forEach((fd, i) => b.writeInt32LE(fd, i * 4));
  return b;
}

/**
 * BPF_BTF_LOAD: a BTF blob becomes an fd a program load can name (prog_btf_fd). On failure the
 * kernel's BTF log is in the error.
 */
export function btfLoad(sys: SysApi, btf: Buffer): number {
  const attempt = (log: Buffer | null) => bpfTry(sys, BpfCmd.BTF_LOAD, bpfAttr(sys)
    .ptr(0, btf)
    .ptr(8, log)
    .u32(16, btf.length)
    .u32(20, log ? log.length : 0)
    .u32(24, log ? 1 : 0));
  const res = attempt(null);
  if (res.ret >= 0) return res.ret;
  const log = Buffer.alloc(64 << 10);
  const again = attempt(log);
  if (again.ret >= 0) return again.ret;
  throw new SysError('bpf(BTF_LOAD)', res.errno, cStringAt(log, 0, log.length).trim());
}

export interface TestRunOptions {
  /** Context (raw_tp: u64 args; skb: __sk_buff). */
  ctxIn?: Buffer;
  ctxOutSize?: number;
  /** Packet data for networking program types. */
  dataIn?: Buffer;
  dataOutSize?: number;
  repeat?: number;
  flags?: number;
  cpu?: number;
}

export interface TestRunResult {
  retval: number;
  /** Average ns per run as the kernel reports it (0 for raw_tp). */
  duration: number;
  dataOut: Buffer | null;
  ctxOut: Buffer | null;
}

/** BPF_PROG_TEST_RUN (raw_tp with ctx args since Linux 5.10). */
export function progTestRun(sys: SysApi, progFd: number, o: TestRunOptions = {}): TestRunResult {
  const dataOut = o.dataOutSize ? Buffer.alloc(o.dataOutSize) : null;
  const ctxOut = o.ctxOutSize ? Buffer.alloc(o.ctxOutSize) : null;
  const a = bpfAttr(sys)
    .u32(0, progFd)
    .u32(8, o.dataIn?.length ?? 0)
    .u32(12, dataOut?.length ?? 0)
    .ptr(16, o.dataIn)
    .ptr(24, dataOut)
    .u32(32, o.repeat ?? 0)
    .u32(40, o.ctxIn?.length ?? 0)
    .u32(44, ctxOut?.length ?? 0)
    .ptr(48, o.ctxIn)
    .ptr(56, ctxOut)
    .u32(64, o.flags ?? 0)
    .u32(68, o.cpu ?? 0);
  const res = bpfTry(sys, BpfCmd.PROG_TEST_RUN, a);
  if (res.ret < 0) throw new SysError('bpf(PROG_TEST_RUN)', res.errno);
  return {
    retval: a.readU32(4),
    duration: a.readU32(36),
    dataOut: dataOut ? dataOut.subarray(0, a.readU32(12)) : null,
    ctxOut: ctxOut ? ctxOut.subarray(0, a.readU32(44)) : null,
  };
}

/** struct bpf_prog_info, the fields tstap reads. run counters need enableRunTimeStats(). */
export interface ProgInfo {
  type: number;
  id: number;
  tag: string;
  jitedProgLen: number;
  xlatedProgLen: number;
  name: string;
  runTimeNs: bigint;
  runCnt: bigint;
  recursionMisses: bigint;
  verifiedInsns: number;
}

/** sizeof(struct bpf_prog_info) in the 6.1 uapi. */
const PROG_INFO_SIZE = 232;

export function progInfo(sys: SysApi, fd: number): ProgInfo {
  const b = objGetInfo(sys, fd, PROG_INFO_SIZE);
  return {
    type: b.readUInt32LE(0),
    id: b.readUInt32LE(4),
    tag: b.toString('hex', 8, 16),
    jitedProgLen: b.readUInt32LE(16),
    xlatedProgLen: b.readUInt32LE(20),
    name: cStringAt(b, 64, 16),
    runTimeNs: b.readBigUInt64LE(192),
    runCnt: b.readBigUInt64LE(200),
    recursionMisses: b.readBigUInt64LE(208),
    verifiedInsns: b.readUInt32LE(216),
  };
}
