// Symbolizing print_ubacktrace() records (wire/ustack.ts), also for processes that exited long
// before user space reads their records.
//
// A frame the kernel gave as build ID + file offset is looked up by build ID (build-ids.ts): the
// files of every process seen alive, tstap's own, the file each process exec'd (the kernel keeps
// the name, kernel/exec-paths.ts) and the libraries that one needs. A frame with only its address
// (no file behind it, or the kernel could not read the build ID) is looked up in a snapshot of
// the process's /proc/PID/maps, taken when its first record is read; a snapshot is used only for
// records of the same exec (the kernel's exec times tell).

import { basename, isAbsolute, join } from 'node:path';
import { readlinkSync } from 'node:fs';
import type { UserFrame, UserStackRecord } from '../../wire/ustack.js';
import { BuildIdIndex, symbolizeBuildIdFile } from './build-ids.js';
import { readMaps, UserSymbolizer, type MapEntry } from './procmaps.js';
import type { UserAddress } from '../../format/usyms.js';

/** The last exec of a process, as the kernel recorded it (kernel/exec-paths.ts). */
export type ExecLookup = (pid: number) => { readonly time: bigint; readonly path: string } | undefined;

export interface FrameSymbol {
  /** basename of the file, or `[vdso]`-style names; '' when unknown. */
  readonly module: string;
  readonly fileOffset: number | undefined;
  readonly name: string | undefined;
  readonly offset: number | undefined;
  /** The function's size, when known. */
  readonly size?: number | undefined;
}

/** How user stacks were symbolized, summed over every session of this process (tools/measure-ustack.ts). */
export const USTACK_STATS = {
  /** Processes whose first record was read, and those among them still alive then. */
  processes: 0, aliveAtFirstRecord: 0,
  /** Frames; those the kernel gave a build ID for; named through it, through a maps snapshot; not named. */
  frames: 0, kernelBuildIds: 0, namedByBuildId: 0, namedBySnapshot: 0, unnamed: 0,
};

/** Processes remembered (maps snapshots, first records seen); the oldest are forgotten first. */
const MAX_PROCESSES = 4096;

export class UserStacks {
  private readonly maps = new UserSymbolizer();
  /** Pids whose first record was read (their maps were read then). */
  private readonly seen = new Set<number>();
  /** Pids whose exec'd file was handed to the index. */
  private readonly execsAsked = new Set<number>();
  /** The last exec of each pid as looked up at `at` (CLOCK_MONOTONIC ns). */
  private readonly execCache = new Map<number, { at: bigint; exec: ReturnType<ExecLookup> }>();

  constructor(private readonly execs: ExecLookup | null = null, private readonly index = new BuildIdIndex()) {
    // tstap's own libraries (libc, ld.so, ...) are what most processes map.
    try {
      for (const m of readMaps(process.pid)) if (m.perms.includes('x')) index.candidate(m.path);
    } catch {
      // No /proc: nothing to add.
    }
  }

  /** The record's frames, one per line in stap's print_ubacktrace() format. */
  format(rec: UserStackRecord): string {
    this.firstSight(rec.pid);
    let out = '';
    for (const f of rec.frames) out += formatUserFrame(f.ip, this.symbolize(rec, f));
    return out;
  }

  /**
   * What is known of `addr` in the process that took `rec` (usymname() and kin): an address of
   * rec's own stack by the build ID the kernel gave for it (the process may be gone), any other
   * through the process's maps.
   */
  lookup(rec: UserStackRecord, addr: bigint): UserAddress | undefined {
    this.firstSight(rec.pid);
    const f = rec.frames.find((x) => x.ip === addr) ?? { ip: addr, buildId: undefined, fileOffset: undefined };
    const s = this.symbolize(rec, f);
    return s && { module: s.module, name: s.name, offset: s.offset, size: s.size, moduleOffset: s.fileOffset };
  }

  /** What is known of frame `f` of `rec`. */
  symbolize(rec: UserStackRecord, f: UserFrame): FrameSymbol | undefined {
    USTACK_STATS.frames++;
    if (f.buildId !== undefined && f.fileOffset !== undefined) {
      USTACK_STATS.kernelBuildIds++;
      let file = this.index.find(f.buildId);
      if (!file && this.askExec(rec.pid)) file = this.index.find(f.buildId);
      const s = file && symbolizeBuildIdFile(file, f.fileOffset);
      if (file && s) {
        if (s.name !== undefined) USTACK_STATS.namedByBuildId++;
        else USTACK_STATS.unnamed++;
        return { module: basename(file.path), fileOffset: f.fileOffset, name: s.name, offset: s.offset, size: s.size };
      }
    }
    const maps = this.mapsFor(rec);
    const s = maps && this.maps.symbolizeIn(rec.pid, maps, f.ip);
    if (s?.name !== undefined) USTACK_STATS.namedBySnapshot++;
    else USTACK_STATS.unnamed++;
    if (s) return { module: s.module, fileOffset: s.fileOffset ?? f.fileOffset, name: s.name, offset: s.offset, size: s.size };
    return f.fileOffset === undefined ? undefined : { module: '', fileOffset: f.fileOffset, name: undefined, offset: undefined };
  }

  // The first record of a process: its maps while it may still run, and the files it maps
  // (symbols read now, through /proc/PID/map_files for a deleted or replaced file).
  private firstSight(pid: number): void {
    if (this.seen.has(pid)) return;
    remember(this.seen, pid);
    USTACK_STATS.processes++;
    let maps: readonly MapEntry[];
    try {
      maps = this.capture(pid);
    } catch {
      return;
    }
    // A process whose mm is gone (exiting) has empty maps.
    if (maps.length > 0) USTACK_STATS.aliveAtFirstRecord++;
    for (const m of maps) {
      if (!m.perms.includes('x') || m.inode === 0 || !m.path.startsWith('/')) continue;
      const elf = this.maps.elfFor(pid, m);
      if (elf) this.index.add(elf, m.path);
    }
  }

  private capture(pid: number): readonly MapEntry[] {
    const maps = this.maps.capture(pid);
    this.maps.forgetOldest(MAX_PROCESSES);
    return maps;
  }

  // The file `pid` exec'd, as a build-ID candidate (once per process).
  private askExec(pid: number): boolean {
    if (!this.execs || this.execsAsked.has(pid)) return false;
    remember(this.execsAsked, pid);
    const ex = this.execs(pid);
    if (!ex) return false;
    let path = ex.path;
    if (!isAbsolute(path)) {
      let cwd = process.cwd();
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        // Gone: tstap's own directory is the best guess (the build ID decides).
      }
      path = join(cwd, path);
    }
    this.index.executable(path);
    return true;
  }

  // A snapshot of the process image the record was taken in: read after the exec that started
  // it, and, for a record older than the process's last exec, before that exec.
  private mapsFor(rec: UserStackRecord): readonly MapEntry[] | undefined {
    const ex = this.lastExec(rec);
    const fits = (t: bigint) => !ex || (ex.time <= rec.time ? t >= ex.time : t < ex.time);
    const at = this.maps.capturedAt(rec.pid);
    if (at !== undefined && fits(at)) return this.maps.snapshot(rec.pid);
    if (ex && ex.time > rec.time) return undefined;
    try {
      return this.capture(rec.pid);
    } catch {
      return undefined;
    }
  }

  // The process's last exec as of `rec`: a lookup made after the record was taken is as good as
  // a new one (its answer is the last exec before the record, or one after it), so one lookup
  // serves every record a drain holds of a process.
  private lastExec(rec: UserStackRecord): ReturnType<ExecLookup> {
    if (!this.execs) return undefined;
    const hit = this.execCache.get(rec.pid);
    if (hit && rec.time <= hit.at) return hit.exec;
    const at = process.hrtime.bigint();
    const exec = this.execs(rec.pid);
    this.execCache.delete(rec.pid);
    this.execCache.set(rec.pid, { at, exec });
    if (this.execCache.size > MAX_PROCESSES) this.execCache.delete(this.execCache.keys().next().value!);
    return exec;
  }
}

function remember(set: Set<number>, pid: number): void {
  set.add(pid);
  if (set.size > MAX_PROCESSES) set.delete(set.values().next().value!);
}

/** ` 0xADDR : name+0xOFF [module]`, or ` 0xADDR [module+0xFILEOFF]` without a symbol. */
export function formatUserFrame(ip: bigint, s: FrameSymbol | undefined): string {
  const hex = `0x${ip.toString(16)}`;
  if (!s || s.name === undefined) return ` ${hex} [${s?.module || 'unknown'}+0x${(s?.fileOffset ?? 0).toString(16)}]\n`;
  return ` ${hex} : ${s.name}+0x${(s.offset ?? 0).toString(16)} [${s.module}]\n`;
}
