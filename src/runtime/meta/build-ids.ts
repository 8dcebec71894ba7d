// ELF files found by GNU build ID, for stack frames the kernel gave as build ID + file offset
// (wire/ustack.ts). A build ID names the file's contents: a file found by it is the one the
// process ran, whatever happened to the path since, and a replaced file (another build ID) is
// never taken for it.
//
// Where files come from: files opened while a process mapping them was alive (through
// /proc/PID/map_files if deleted or replaced; symbols read at once), then candidate paths, read
// only while a build ID is still missing: the file a process exec'd (first), tstap's own
// libraries, and the libraries a candidate needs (DT_NEEDED, searched as ld.so does: RPATH,
// RUNPATH, ld.so.conf, the default directories). /usr/lib/debug/.build-id adds the symbols of a
// separate debug file to a file found.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { ElfFile, PF } from './elf.js';

export interface BuildIdFile {
  /** The file (its program headers map file offsets to addresses). */
  readonly elf: ElfFile;
  /** The file's path, as shown for modules (not /proc/PID/map_files/...). */
  readonly path: string;
  /** Its separate debug file, when that has more symbols. */
  readonly debug: ElfFile | null;
}

/**
 * The function at `fileOffset` of a file found by build ID; null when the offset is not in the
 * file's code. The kernel takes the mapping that ends above the address for the one holding it
 * (find_vma), so a bogus frame (a frame-pointer walk through code built without them) below a
 * mapping comes with that mapping's build ID and an offset outside its code: not a frame of it.
 */
export function symbolizeBuildIdFile(f: BuildIdFile, fileOffset: number): { name: string | undefined; offset: number | undefined; size?: number } | null {
  const seg = f.elf.loads().find((p) => (p.flags & PF.X) !== 0 && fileOffset >= p.offset && fileOffset < p.offset + p.filesz);
  if (!seg) return null;
  const vaddr = fileOffset - seg.offset + seg.vaddr;
  const s = (f.debug ?? f.elf).symbols().symbolize(vaddr);
  // .symtab of a debug file names versioned symbols `name@VERSION`; .dynsym has just `name`.
  return s ? { name: s.name.replace(/@.*/, ''), offset: vaddr - s.value, size: s.size } : { name: undefined, offset: undefined };
}

const DEBUG_ROOT = '/usr/lib/debug/.build-id';
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_RPATH = 15;
const DT_RUNPATH = 29;

/** A build ID as the kernel reports it: 20 bytes, a shorter ID zero-padded; lowercase hex. */
export function kernelBuildId(hex: string): string {
  return hex.length >= 40 ? hex.slice(0, 40) : hex.padEnd(40, '0');
}

interface Entry extends BuildIdFile {
  debug: ElfFile | null;
  debugChecked?: boolean;
  loaded: boolean;
  /** statKey of `path` when its build ID was read (null: opened otherwise, symbols read). */
  readonly stat: string | null;
}

const ids = new WeakMap<ElfFile, string | null>();

// An ElfFile reads its notes from the file each time: the build ID is kept per ElfFile.
function idOf(elf: ElfFile): string | undefined {
  let id = ids.get(elf);
  if (id === undefined) {
    try {
      const hex = elf.buildId();
      id = hex === undefined ? null : kernelBuildId(hex);
    } catch {
      id = null;
    }
    ids.set(elf, id);
  }
  return id ?? undefined;
}

function statKey(path: string): string {
  const st = statSync(path);
  if (!st.isFile()) throw new Error('not a file');
  return `${st.dev}:${st.ino}:${st.mtimeMs}:${st.size}`;
}

export class BuildIdIndex {
  private readonly found = new Map<string, Entry>();
  /** Paths to read when a build ID is missing, in the order given. */
  private readonly pending: string[] = [];
  /** Every candidate once (path, device, inode, mtime: a replaced file is read again). */
  private readonly seen = new Set<string>();
  /** Build IDs looked for in vain since the last new candidate. */
  private readonly missing = new Set<string>();
  private searchDirs: string[] | undefined;

  constructor(private readonly opts: { debugRoot?: string; libDirs?: string[] } = {}) {}

  /**
   * An ELF file whose contents are known now (opened through /proc/PID/map_files, say), shown as
   * `path`. Its symbols are read at once: the file may not be reachable later.
   */
  add(elf: ElfFile, path: string): string | undefined {
    const key = idOf(elf);
    if (key === undefined || this.found.get(key)?.loaded) return key;
    try {
      elf.symbols();
    } catch {
      return key;
    }
    this.found.set(key, { elf, path, debug: null, loaded: true, stat: null });
    return key;
  }

  /** A path that may hold a wanted file: read only if a build ID is not found otherwise. */
  candidate(path: string): void {
    if (!isAbsolute(path)) return;
    this.pending.push(path);
    this.missing.clear();
  }

  /** The file a process exec'd: the first candidate read, with the libraries it needs. */
  executable(path: string): void {
    if (!isAbsolute(path)) return;
    this.pending.unshift(path);
    this.missing.clear();
  }

  /** The file with build ID `id` (40 hex digits, as in kernelBuildId), if it can be found. */
  find(id: string): BuildIdFile | undefined {
    if (this.missing.has(id)) return undefined;
    const hit = this.usable(id);
    if (hit) return this.withDebugInfo(id, hit);
    while (this.pending.length > 0) {
      const path = this.pending.shift()!;
      const opened = this.open(path);
      if (!opened) continue;
      const key = idOf(opened.elf);
      if (key !== undefined && !this.found.has(key)) this.found.set(key, { elf: opened.elf, path, debug: null, loaded: false, stat: opened.stat });
      // A dynamically linked program: the libraries it loads are candidates too.
      for (const lib of this.needed(opened.elf, path)) this.pending.push(lib);
      if (key === id) {
        const e = this.usable(id);
        if (e) return this.withDebugInfo(id, e);
      }
    }
    this.missing.add(id);
    return undefined;
  }

  // A file indexed by path has its symbols read when first needed, if it is still the file
  // whose build ID was read (same device, inode and mtime).
  private usable(id: string): Entry | undefined {
    const e = this.found.get(id);
    if (!e || e.loaded) return e;
    try {
      if (statKey(e.path) !== e.stat) throw new Error('replaced');
      e.elf.symbols();
      if (kernelBuildId(e.elf.buildId() ?? '') !== id) throw new Error('replaced');
      e.loaded = true;
      return e;
    } catch {
      // Another file there now: read it again as a candidate of its own.
      this.found.delete(id);
      this.pending.push(e.path);
      return undefined;
    }
  }

  private open(path: string): { elf: ElfFile; stat: string } | undefined {
    let stat: string;
    try {
      stat = statKey(path);
    } catch {
      return undefined;
    }
    const key = `${path}\0${stat}`;
    if (this.seen.has(key)) return undefined;
    this.seen.add(key);
    try {
      return { elf: ElfFile.open(path), stat };
    } catch {
      return undefined;
    }
  }

  // A separate debug file (`/usr/lib/debug/.build-id/ab/cdef....debug`) has the full symbol
  // table where the installed file may have only .dynsym; its program headers no longer map
  // file offsets, so it only adds symbols to a file found otherwise. Looked for once per file.
  private withDebugInfo(id: string, hit: Entry): BuildIdFile {
    if (hit.debugChecked) return hit;
    hit.debugChecked = true;
    const root = this.opts.debugRoot ?? DEBUG_ROOT;
    for (const hex of new Set([id, id.replace(/(00)+$/, '')])) {
      const file = join(root, hex.slice(0, 2), `${hex.slice(2)}.debug`);
      if (!existsSync(file)) continue;
      try {
        const dbg = ElfFile.open(file);
        if (idOf(dbg) !== id || dbg.symbols().count <= hit.elf.symbols().count) continue;
        hit.debug = dbg;
        return hit;
      } catch {
        // Not readable: keep what there is.
      }
    }
    return hit;
  }

  /** The libraries a dynamically linked file needs, where ld.so would find them. */
  private needed(elf: ElfFile, path: string): string[] {
    const dyn = elf.section('.dynamic');
    if (!dyn || dyn.entsize !== 16) return [];
    let data: Buffer;
    let strs: Buffer;
    try {
      data = elf.sectionData(dyn);
      const strtab = elf.sections[dyn.link];
      strs = strtab ? elf.sectionData(strtab) : Buffer.alloc(0);
    } catch {
      return [];
    }
    const str = (off: number) => {
      const e = strs.indexOf(0, off);
      return off < strs.length ? strs.toString('latin1', off, e < 0 ? strs.length : e) : '';
    };
    const names: string[] = [];
    const paths: string[] = [];
    for (let o = 0; o + 16 <= data.length; o += 16) {
      const tag = Number(data.readBigInt64LE(o));
      if (tag === DT_NULL) break;
      const val = Number(data.readBigUInt64LE(o + 8));
      if (tag === DT_NEEDED) names.push(str(val));
      else if (tag === DT_RPATH || tag === DT_RUNPATH) {
        for (const p of str(val).split(':')) if (p) paths.push(p.replace(/\$\{?ORIGIN\}?/g, dirname(path)));
      }
    }
    const out: string[] = [];
    for (const name of names) {
      if (name.includes('/')) {
        out.push(isAbsolute(name) ? name : join(dirname(path), name));
        continue;
      }
      const dir = [...paths, ...this.libDirs()].find((d) => existsSync(join(d, name)));
      if (dir) out.push(join(dir, name));
    }
    return out;
  }

  private libDirs(): string[] {
    if (this.searchDirs) return this.searchDirs;
    const dirs = [...(this.opts.libDirs ?? [])];
    if (!this.opts.libDirs) {
      readLdSoConf('/etc/ld.so.conf', dirs, 0);
      dirs.push('/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib');
    }
    return (this.searchDirs = [...new Set(dirs)]);
  }
}

// `include` lines with a trailing `*.conf`-style glob (the only form distributions use) and
// directory lines.
function readLdSoConf(file: string, out: string[], depth: number): void {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch {
    return;
  }
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const inc = /^include\s+(.+)$/.exec(line);
    if (!inc) {
      if (isAbsolute(line)) out.push(line);
      continue;
    }
    if (depth > 4) continue;
    const pattern = isAbsolute(inc[1]!) ? inc[1]! : join(dirname(file), inc[1]!);
    const dir = dirname(pattern);
    const re = new RegExp(`^${basename(pattern).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    let entries: string[] = [];
    try {
      entries = readdirSync(dir).filter((n) => re.test(n)).sort();
    } catch {
      // No such directory.
    }
    for (const n of entries) readLdSoConf(join(dir, n), out, depth + 1);
  }
}
