// Finding library (tapset) files as stap does: every include directory, tried with runtime,
// kernel-version and architecture suffixes; the first file with a given relative name wins.
// .stpm files only define macros; they are parsed first so every script can use them.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SourceFile } from '../diag/source.js';
import type { ParseEnv } from './env.js';
import { Parser } from './parser.js';

/** stap's version_suffixes: /linux/<arch> variants of kernel release, base, family, and none. */
export function searchSuffixes(env: ParseEnv, runtimePrefix = '/linux'): string[] {
  const s: string[] = [];
  let kvr = env.kernelRelease;
  s.push('/' + kvr);
  const dash = kvr.indexOf('-');
  const base = dash < 0 ? kvr : kvr.slice(0, dash);
  if (base !== kvr) {
    kvr = base;
    s.push('/' + kvr);
  }
  const dot1 = kvr.indexOf('.');
  let dot2 = kvr.lastIndexOf('.');
  while (dot2 > dot1 && dot1 >= 0) {
    kvr = kvr.slice(0, dot2);
    s.push('/' + kvr);
    dot2 = kvr.lastIndexOf('.');
  }
  s.push('');
  for (let i = 0; i < s.length; i += 2) s.splice(i, 0, s[i] + '/' + env.arch);
  if (runtimePrefix) for (let i = 0; i < s.length; i += 2) s.splice(i / 2, 0, runtimePrefix + s[i]);
  return s;
}

/** Library files with extension `ext`, in stap's search order, duplicates by relative name removed. */
export function collectLibraryFiles(includePath: string[], env: ParseEnv, ext: '.stp' | '.stpm'): string[] {
  const out: string[] = [];
  const seenNames = new Set<string>();
  const seenInodes = new Set<string>();
  for (const base of includePath) {
    for (const suffix of searchSuffixes(env)) {
      const dir = base + suffix;
      const files = new Set<string>();
      walk(dir, base + '/PATH', ext, files);
      for (const file of [...files].sort()) {
        let st: fs.Stats | null = null;
        try {
          st = fs.statSync(file);
        } catch {
          /* vanished: stap skips the inode check */
        }
        if (st) {
          const inode = `${st.dev}:${st.ino}`;
          if (seenInodes.has(inode)) continue;
          seenInodes.add(inode);
        }
        if (file.length > base.length) {
          const tail = file.slice(base.length);
          if (seenNames.has(tail)) continue;
          seenNames.add(tail);
        }
        out.push(file);
      }
    }
  }
  return out;
}

/** Files directly in `dir`; subdirectories only under the special PATH directory. */
function walk(dir: string, pathDir: string, ext: string, into: Set<string>, level = 0): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isFile() && path.extname(e.name) === ext) into.add(p);
    else if (e.isDirectory() && (p === pathDir || p.startsWith(pathDir + '/'))) walk(p, pathDir, ext, into, level + 1);
  }
}

/** A library file's text, or null after stap's message when it cannot be read. */
export function readLibraryFile(path: string, env: ParseEnv): SourceFile | null {
  try {
    return SourceFile.read(path);
  } catch {
    env.reporter.line(fs.existsSync(path) ? `Input file '${path}' can't be opened for reading.` : `Input file '${path}' is missing.`);
    return null;
  }
}

/** Loads every library .stpm into env.libraryMacros; a file with errors is skipped with a warning. */
export function loadLibraryMacros(includePath: string[], env: ParseEnv): void {
  for (const file of collectLibraryFiles(includePath, env, '.stpm')) {
    const src = readLibraryFile(file, env);
    if (!src) continue;
    const p = new Parser(src, env, { privileged: true, userFile: false, noCompatible: true });
    if (p.parseLibraryMacros() === null) env.reporter.warning(`macro tapset "${file}" has errors, and will be skipped.`);
  }
}
