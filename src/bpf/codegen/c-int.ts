// The width and signedness of a C integer type named in a tracefs record, for fields stored wider
// than their type: syscall tracepoints store every argument in 8 bytes (`int dfd; size:8;
// signed:0`), so AT_FDCWD arrives as 0xffffff9c and must be narrowed to -100 as the type says.

const INT32 = ['int', 'pid_t', 'clockid_t', 'timer_t', 'mqd_t', 'key_t', 'key_serial_t', 'rwf_t', '__s32', 's32'];
const UINT32 = ['unsigned int', 'unsigned', 'u32', '__u32', 'uid_t', 'gid_t', 'qid_t'];
const UINT16 = ['umode_t', 'unsigned short', 'u16', '__u16'];
const INT16 = ['short', 's16', '__s16'];
const UINT8 = ['unsigned char', 'u8', '__u8'];

/** `{ bytes, signed }` of a scalar C type narrower than 8 bytes, or null (8 bytes, pointers, unknown). */
export function narrowIntType(type: string): { bytes: 1 | 2 | 4; signed: boolean } | null {
  if (type.includes('*') || type.includes('[')) return null;
  const t = type.replace(/\b(const|volatile)\b/g, '').replace(/\s+/g, ' ').trim();
  if (t.startsWith('enum ')) return { bytes: 4, signed: false };
  if (INT32.includes(t)) return { bytes: 4, signed: true };
  if (UINT32.includes(t)) return { bytes: 4, signed: false };
  if (UINT16.includes(t)) return { bytes: 2, signed: false };
  if (INT16.includes(t)) return { bytes: 2, signed: true };
  if (UINT8.includes(t)) return { bytes: 1, signed: false };
  return null;
}
