// Classic tracepoints need tracefs; on a fresh machine it may not be mounted yet. As root we
// mount it where the kernel expects it, the way `perf` and bpftrace users are told to.

import { tracefsRoot } from '../meta/tracefs.js';
import type { SysApi } from '../sys/syscall.js';

/** Makes sure tracefs is mounted; returns an explanation when it is not and cannot be. */
export function ensureTracefs(sys: SysApi): string | null {
  if (tracefsRoot() !== undefined) return null;
  const r = sys.mount('nodev', '/sys/kernel/tracing', 'tracefs', 0, null);
  if (r.errno === 0 && tracefsRoot() !== undefined) return null;
  return `tracefs is not mounted and mounting it failed (errno ${r.errno}): mount -t tracefs nodev /sys/kernel/tracing`;
}
