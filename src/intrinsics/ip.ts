// IPv4 addresses as text: format_ipaddr, ip_ntop (linux/ip.stp).

import { StapRuntimeError, type Intrinsic } from './types.js';
import { intrinsic } from './define.js';

const AF_INET = 2n;
const AF_INET6 = 10n;

/** %pI4 of a __be32 held in a long: the low byte is printed first (little-endian host). */
export function ipv4ToString(addr: bigint): string {
  const v = BigInt.asUintN(32, addr);
  return [0n, 8n, 16n, 24n].map((s) => ((v >> s) & 0xffn).toString()).join('.');
}

export const IP_INTRINSICS: readonly Intrinsic[] = [
  intrinsic('format_ipaddr', ['addr:long', 'family:long'], 'string', (_ctx, addr, family) => {
    if (family === AF_INET) return ipv4ToString(addr);
    // AF_INET6 takes a kernel pointer to an in6_addr; user space reads no kernel memory, so it
    // faults as stap's kderef_buffer() would on a bad address.
    if (family === AF_INET6) {
      throw new StapRuntimeError(`read fault [man error::fault] at 0x${BigInt.asUintN(64, addr).toString(16)}`);
    }
    return '*unknown address family*';
  }),
  intrinsic('ip_ntop', ['addr:long'], 'string', (_ctx, addr) => ipv4ToString(addr)),
];
