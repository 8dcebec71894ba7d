// /proc/PID/maps snapshots and user-space address symbolization through the mapped ELF files.

import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { ElfFile } from './elf.js';

export interface MapEntry {
  readonly start: bigint;
  readonly end: bigint;
  /** `r-xp` etc. */
  readonly perms: string;
  /** File offset of `start`. */
  readonly offset: number;
  /** `major:minor` in hex, as the kernel prints it. */
  readonly dev: string;
  readonly inode: number;
  /** File path, `[heap]`/`[stack]`/`[vdso]`, or '' for anonymous memory; without the ` (deleted)` suffix. */
  readonly path: string;
  readonly deleted: boolean;
}

export interface UserSymbol {
  readonly address: bigint;
  /** The mapping's path (or `[vdso]`, `[heap]`...); '' for anonymous memory. */
  readonly path: string;
  /** basename of `path`, as stap shows modules. */
  readonly module: string;
  /** Offset in the mapped file, when the address is file-backed. */
  readonly fileOffset: number | undefined;
  /** Function name, when a symbol covers the address. */
  readonly name: string | undefined;
  /** Offset from the function's start. */
  readonly offset: number | undefined;
  /** The function's size (st_size). */
  readonly size?: number | undefined;
}

/** Parses the text of /proc/PID/maps. */
export function parseMaps(text: string): MapEntry[] {
  const out: MapEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    // start-end perms offset dev inode [path]; the path may contain spaces, so split only 5 times.
    const fields: string[] = [];
    let p = 0;
    for (let k = 0; k < 5; k++) {
      while (line[p] === ' ') p++;
      const e = line.indexOf(' ', p);
      fields.push(line.slice(p, e < 0 ? line.length : e));
      p = e < 0 ? line.length : e;
    }
    while (line[p] === ' ') p++;
    let path = line.slice(p);
    const [range, perms, offset, dev, inode] = fields as [string, string, string, string, string];
    const dash = range.indexOf('-');
    if (dash < 0 || perms === undefined || inode === undefined) continue;
    const deleted = path.endsWith(' (deleted)');
    if (deleted) path = path.slice(0, -' (deleted)'.length);
    out.push({
      start: BigInt(`0x${range.slice(0, dash)}`), end: BigInt(`0x${range.slice(dash + 1)}`), perms,
      offset: parseInt(offset, 16), dev, inode: Number(inode), path, deleted,
    });
  }
  return out;
}

/** The current maps of `pid` (throws when the process is gone). */
export function readMaps(pid: number): MapEntry[] {
  return parseMaps(readFileSync(`/proc/${pid}/maps`, 'latin1'));
}

/** The mapping containing `addr`. */
export function findMapping(maps: readonly MapEntry[], addr: bigint): MapEntry | undefined {
  let a = 0;
  let b = maps.length;
  // Maps come sorted by address; binary search for the last start <= addr.
  while (a < b) {
    const m = (a + b) >>> 1;
    if (maps[m]!.start <= addr) a = m + 1;
    else b = m;
  }
  const e = maps[a - 1];
  return e && addr < e.end ? e : undefined;
}

/**
 * Symbolizes user addresses of many processes. Maps are captured per pid (so a process that
 * has exited can still be symbolized from its snapshot) and ELF files are cached per
 * (device, inode), shared by every process mapping the same file.
 */
export class UserSymbolizer {
  private readonly snapshots = new Map<number, MapEntry[]>();
  /** CLOCK_MONOTONIC nanoseconds just before each snapshot was read. */
  private readonly times = new Map<number, bigint>();
  private readonly elves = new Map<string, ElfFile | null>();

  /**
   * Takes a snapshot of `pid`'s maps. With `loadSymbols`, the symbol tables of its executable
   * mappings are read now, while /proc/PID/map_files can still reach deleted or replaced files.
   */
  capture(pid: number, opts: { loadSymbols?: boolean } = {}): readonly MapEntry[] {
    const time = process.hrtime.bigint();
    const maps = readMaps(pid);
    // Re-inserted: the newest snapshot is the last one forgetOldest() drops.
    this.snapshots.delete(pid);
    this.snapshots.set(pid, maps);
    this.times.set(pid, time);
    if (opts.loadSymbols) {
      for (const e of maps) {
        if (!e.perms.includes('x')) continue;
        this.elfFor(pid, e)?.symbols();
      }
    }
    return maps;
  }

  /** The snapshot of `pid`, if one was captured. */
  snapshot(pid: number): readonly MapEntry[] | undefined {
    return this.snapshots.get(pid);
  }

  /** When the snapshot of `pid` was taken (CLOCK_MONOTONIC ns, as bpf_ktime_get_ns). */
  capturedAt(pid: number): bigint | undefined {
    return this.times.get(pid);
  }

  forget(pid: number): void {
    this.snapshots.delete(pid);
    this.times.delete(pid);
  }

  /** Drops the oldest snapshots until at most `max` are left. */
  forgetOldest(max: number): void {
    for (const pid of this.snapshots.keys()) {
      if (this.snapshots.size <= max) break;
      this.forget(pid);
    }
  }

  /**
   * Symbolizes `addr` in `pid`: the captured snapshot if there is one (else the live maps,
   * which are then kept). Undefined when the process is gone and was never captured, or
   * the address is not mapped.
   */
  symbolize(pid: number, addr: bigint): UserSymbol | undefined {
    let maps: readonly MapEntry[] | undefined = this.snapshots.get(pid);
    if (!maps) {
      try {
        maps = this.capture(pid);
      } catch {
        return undefined;
      }
    }
    return this.symbolizeIn(pid, maps, addr);
  }

  /** Symbolizes `addr` in `maps`, a snapshot of `pid` (whose map_files may still open a file). */
  symbolizeIn(pid: number, maps: readonly MapEntry[], addr: bigint): UserSymbol | undefined {
    const m = findMapping(maps, addr);
    if (!m) return undefined;
    const fileBacked = m.inode !== 0 && m.path.startsWith('/');
    const fileOffset = fileBacked ? Number(addr - m.start) + m.offset : undefined;
    const base = { address: addr, path: m.path, module: m.path.startsWith('/') ? basename(m.path) : m.path, fileOffset };
    const elf = fileOffset === undefined ? undefined : this.elfFor(pid, m);
    const s = elf && fileOffset !== undefined ? elf.symbolize(fileOffset) : undefined;
    return { ...base, name: s?.name, offset: s?.offset, size: s?.symbol.size };
  }

  /** The ELF file behind a mapping (cached by device and inode), or undefined when unreadable or not ELF. */
  elfFor(pid: number, m: MapEntry): ElfFile | undefined {
    const key = `${m.dev}:${m.inode}`;
    const hit = this.elves.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const elf = openMapped(pid, m);
    this.elves.set(key, elf ?? null);
    return elf;
  }
}

// The path in maps may since have been deleted or replaced; /proc/PID/map_files/<range>
// reaches the mapped file itself while the process lives (root only).
function openMapped(pid: number, m: MapEntry): ElfFile | undefined {
  const mapFile = `/proc/${pid}/map_files/${m.start.toString(16)}-${m.end.toString(16)}`;
  const candidates = m.deleted || !sameFile(m.path, m) ? [mapFile, m.path] : [m.path, mapFile];
  for (const path of candidates) {
    try {
      const elf = ElfFile.open(path);
      // Read the symbol table now: a map_files path stops working when the process exits.
      elf.symbols();
      return elf;
    } catch {
      // Try the next way in; a non-ELF mapping (fonts, locale archives) ends up undefined.
    }
  }
  return undefined;
}

function sameFile(path: string, m: MapEntry): boolean {
  try {
    const st = statSync(path);
    return st.ino === m.inode && devString(st.dev) === m.dev;
  } catch {
    return false;
  }
}

// st_dev in the kernel's new_encode_dev layout, printed as maps does (`%02x:%02x`).
function devString(dev: number): string {
  const major = (dev >>> 8) & 0xfff;
  const minor = (dev & 0xff) | ((dev >>> 12) & 0xfff00);
  return `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}`;
}

const shared = new UserSymbolizer();

/** Captures `pid`'s maps in the shared symbolizer (see `UserSymbolizer.capture`). */
export function captureMaps(pid: number, opts: { loadSymbols?: boolean } = {}): readonly MapEntry[] {
  return shared.capture(pid, opts);
}

/** Symbolizes a user address of `pid` with the shared symbolizer. */
export function symbolizeUser(pid: number, addr: bigint): UserSymbol | undefined {
  return shared.symbolize(pid, addr);
}
