// Where tracefs is mounted, and mounting it when it is not (tracepoint ids and formats live there).

import * as fs from 'node:fs';
import { SysError, type SysApi } from './syscall.js';

const STANDARD = '/sys/kernel/tracing';
const LEGACY = '/sys/kernel/debug/tracing';

const MS_NOSUID = 2;
const MS_NODEV = 4;
const MS_NOEXEC = 8;

function mountPoints(): string[] {
  let text: string;
  try {
    text = fs.readFileSync('/proc/mounts', 'latin1');
  } catch {
    return [];
  }
  const points: string[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    // /proc/mounts escapes spaces in paths as \040.
    if (f[2] === 'tracefs' && f[1]) points.push(f[1].replace(/\\040/g, ' '));
  }
  return points;
}

/** The tracefs root if one is mounted (or reachable through debugfs), else null. */
export function findTracefs(): string | null {
  const points = mountPoints();
  if (points.includes(STANDARD)) return STANDARD;
  if (points.length) return points[0]!;
  // debugfs auto-mounts tracefs under tracing/ on first access.
  if (fs.existsSync(`${LEGACY}/events`)) return LEGACY;
  return null;
}

/** The tracefs root, mounting tracefs at /sys/kernel/tracing if needed (root only). */
export function ensureTracefs(sys: SysApi): string {
  const found = findTracefs();
  if (found) return found;
  const res = sys.mount('nodev', STANDARD, 'tracefs', MS_NOSUID | MS_NODEV | MS_NOEXEC, null);
  if (res.ret < 0) throw new SysError(`mount(tracefs, ${STANDARD})`, res.errno, 'tracepoints need tracefs');
  return STANDARD;
}
