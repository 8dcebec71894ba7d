// perf_event_open of a classic tracepoint (PERF_TYPE_TRACEPOINT, config = the tracefs id): one
// event on CPU 0 with pid -1 covers every CPU (kernel-facts pitfall 1).

import type { SysApi } from '../sys/syscall.js';
import { check } from '../sys/syscall.js';

const PERF_TYPE_TRACEPOINT = 2;
const PERF_ATTR_SIZE = 128;
const PERF_FLAG_FD_CLOEXEC = 8;

export function openTracepointEvent(sys: SysApi, id: number): number {
  const attr = Buffer.alloc(PERF_ATTR_SIZE);
  attr.writeUInt32LE(PERF_TYPE_TRACEPOINT, 0);
  attr.writeUInt32LE(PERF_ATTR_SIZE, 4);
  attr.writeBigUInt64LE(BigInt(id), 8);
  attr.writeBigUInt64LE(1n, 16); // sample_period
  return check(sys.perfEventOpen(attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC), 'perf_event_open', `tracepoint id ${id}`);
}
