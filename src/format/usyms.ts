// stap's texts for user addresses (tapset ucontext-symbols.stp, runtime sym.c _stp_snprint_addr):
// usymname (_STP_SYM_SYMBOL), usymdata (_STP_SYM_DATA), umodname, and print_usyms/sprint_usyms
// (one ` ADDR : usymdata\n` line per address of a ubacktrace() string). What an address is
// (its function, module) comes from the caller: the kernel runtime symbolizes it in the probed
// process (runtime/meta/ustack.ts); begin/end handlers have no process and know nothing.

/** What is known of a user address; any part may be missing. */
export interface UserAddress {
  /** The module's short name (basename), '' or undefined when unknown. */
  readonly module?: string | undefined;
  readonly name?: string | undefined;
  /** From the function's start, with the function's size. */
  readonly offset?: number | undefined;
  readonly size?: number | undefined;
  /** Without a function: from the mapping's start, with the mapping's size (when known). */
  readonly moduleOffset?: number | undefined;
  readonly moduleSize?: number | undefined;
}

/** stap's `%p`: `%#x` of the 64-bit value. */
export function hexAddr(addr: bigint): string {
  return `0x${BigInt.asUintN(64, addr).toString(16)}`;
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** usymname(addr): the function's name, else the address in hex. */
export function usymnameText(addr: bigint, s: UserAddress | undefined): string {
  return s?.name ?? hexAddr(addr);
}

/** usymdata(addr): `name+0xOFF/0xSIZE [module]`, `0xADDR [module+0xOFF/0xSIZE]`, or the address. */
export function usymdataText(addr: bigint, s: UserAddress | undefined): string {
  const mod = s?.module || undefined;
  const size = (n: number | undefined) => (n === undefined ? '' : `/${hex(n)}`);
  if (s?.name !== undefined) return `${s.name}+${hex(s.offset ?? 0)}${size(s.size)}${mod ? ` [${mod}]` : ''}`;
  if (mod) return `${hexAddr(addr)} [${mod}${s?.moduleOffset === undefined ? '' : `+${hex(s.moduleOffset)}${size(s.moduleSize)}`}]`;
  return hexAddr(addr);
}

/** The addresses of a ubacktrace() string as print_usyms reads them (tokenize on ' ', strtol base 16). */
export function usymsAddresses(callers: string): { token: string; addr: bigint }[] {
  return callers.split(' ').filter((t) => t !== '').map((token) => ({ token, addr: strtol16(token) }));
}

// stap's strtol(s, 16): optional sign and 0x, hex digits up to the first other character.
function strtol16(s: string): bigint {
  const m = /^\s*([+-]?)(?:0[xX](?=[0-9a-fA-F]))?([0-9a-fA-F]*)/.exec(s)!;
  if (m[2] === '') return 0n;
  const v = BigInt.asIntN(64, BigInt(`0x${m[2]}`));
  return m[1] === '-' ? -v : v;
}

/** print_usyms(callers): one ` TOKEN : usymdata\n` line per address. */
export function printUsymsText(callers: string, data: (addr: bigint) => string): string {
  let out = '';
  for (const { token, addr } of usymsAddresses(callers)) out += ` ${token} : ${data(addr)}\n`;
  return out;
}

/** sprint_usyms(callers): print_usyms's lines that fit whole in MAXSTRINGLEN - 1 bytes. */
export function sprintUsymsText(callers: string, data: (addr: bigint) => string, maxStringLen: number): string {
  let out = '';
  let l = 0;
  for (const { token, addr } of usymsAddresses(callers)) {
    // stap's sprintf clamps the line itself to MAXSTRINGLEN - 1, `.=` the whole.
    const line = ` ${token} : ${data(addr)}\n`.slice(0, maxStringLen - 1);
    l += line.length;
    if (l > maxStringLen) break;
    out = (out + line).slice(0, maxStringLen - 1);
  }
  return out;
}

/** Built-ins taking user addresses that user space computes, and their implementation. */
export const USER_SYMBOL_FUNCTIONS = new Set([
  'usymname', 'usymdata', 'umodname', 'print_usyms', 'print_ustack', 'sprint_usyms', 'sprint_ustack',
]);

/**
 * Applies one of USER_SYMBOL_FUNCTIONS to `args` with `lookup` naming addresses; throws an Error
 * with stap's message for umodname of an address in no module.
 */
export function userSymbolCall(name: string, args: readonly (bigint | string)[], lookup: (addr: bigint) => UserAddress | undefined, maxStringLen: number): string {
  const data = (a: bigint) => usymdataText(a, lookup(a));
  switch (name) {
    case 'usymname': return usymnameText(args[0] as bigint, lookup(args[0] as bigint));
    case 'usymdata': return data(args[0] as bigint);
    case 'umodname': {
      const m = lookup(args[0] as bigint)?.module;
      if (!m) throw new Error('module cannot be found');
      return m;
    }
    case 'print_usyms': case 'print_ustack': return printUsymsText(args[0] as string, data);
    case 'sprint_usyms': case 'sprint_ustack': return sprintUsymsText(args[0] as string, data, maxStringLen);
  }
  throw new Error(`not a user-symbol function: ${name}`);
}
