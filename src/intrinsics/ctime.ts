// Calendar strings: ctime (both arities), tz_ctime, tz_gmtoff, tz_name (linux/ctime.stp, tzinfo.stp).

import { StapRuntimeError, type Intrinsic } from './types.js';
import { dec } from './cformat.js';
import { intrinsic } from './define.js';
import { gettimeofdayNs } from './time.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SECS_PER_DAY = 86400;

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/**
 * "Wed Jun 30 21:49:08 1993", always UTC, no newline. stap refuses anything outside a signed
 * 32-bit time_t rather than spend time computing far-off years.
 */
export function ctime(epochsecs: bigint): string {
  if (epochsecs > 2147483647n) throw new StapRuntimeError('Time too far in the future to be converted');
  if (epochsecs < -2147483648n) throw new StapRuntimeError('Time too far in the past to be converted');
  const t = Number(epochsecs);
  let days = Math.floor(t / SECS_PER_DAY);
  const rem = t - days * SECS_PER_DAY;
  const hour = Math.floor(rem / 3600);
  const min = Math.floor((rem % 3600) / 60);
  const sec = rem % 60;
  const wday = (((4 + days) % 7) + 7) % 7;
  let year = 1970;
  if (days >= 0) {
    while (days >= (isLeap(year) ? 366 : 365)) days -= isLeap(year++) ? 366 : 365;
  } else {
    while (days < 0) days += isLeap(--year) ? 366 : 365;
  }
  const monLengths = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  let mon = 0;
  while (days >= monLengths[mon]!) days -= monLengths[mon++]!;
  const two = (n: number): string => dec(BigInt(n), -1, 2);
  return `${DAYS[wday]} ${MONTHS[mon]}${dec(BigInt(days + 1), 3)} ${two(hour)}:${two(min)}:${two(sec)} ${year}`;
}

export const CTIME_INTRINSICS: readonly Intrinsic[] = [
  intrinsic('ctime', ['epochsecs:long'], 'string', (_ctx, secs) => ctime(secs)),
  intrinsic('ctime', [], 'string', (ctx) => ctime(gettimeofdayNs(ctx) / 1000000000n)),
  // tz_gmtoff is seconds west, so local time is UTC minus it.
  intrinsic('tz_ctime', ['epochsecs:long'], 'string', (ctx, secs) =>
    `${ctime(BigInt.asIntN(64, secs - BigInt(ctx.session.tzGmtoff)))} ${ctx.session.tzName}`),
  intrinsic('tz_gmtoff', [], 'long', (ctx) => BigInt(ctx.session.tzGmtoff)),
  intrinsic('tz_name', [], 'string', (ctx) => ctx.session.tzName),
];

/**
 * What staprun would pass for this host at `when`: -tm_gmtoff and tm_zone of localtime().
 * The name comes from Intl, which can differ from glibc's abbreviation for some zones.
 */
export function hostTimeZone(when: Date): { tzGmtoff: number; tzName: string } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(when);
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'UTC';
  return { tzGmtoff: when.getTimezoneOffset() * 60, tzName: name };
}
