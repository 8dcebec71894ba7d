// The tapset library as elaboration sees it. A file is "chosen" (pulled into the program) the
// first time the script uses something it defines, as stap does. Files are parsed lazily: a
// cheap scan of each file's text finds the names it defines (aliases, functions, globals), and
// only files defining a name the script asks for are parsed. The scan over-approximates (a
// name in a disabled `%( %)` branch still counts), which costs a parse, never a miss, except
// for definitions produced by macro expansion, which tapsets do not use.

import * as fs from 'node:fs';
import type * as A from '../parse/ast.js';
import type { ParseEnv } from '../parse/env.js';
import { collectLibraryFiles, readLibraryFile } from '../parse/library.js';
import { Parser } from '../parse/parser.js';
import type { SourceFile } from '../diag/source.js';
import { fnmatch } from '../util/fnmatch.js';

/** What the cheap scan of a file's text finds: the names it defines. */
interface Scan {
  /** Alias names as component functors (`syscall.openat` -> ['syscall', 'openat']). */
  readonly aliasNames: string[][];
  readonly functions: Set<string>;
  readonly globals: Set<string>;
}

interface IndexedFile extends Scan {
  readonly path: string;
  /** Read when the file is first parsed (a scan from SCANS needs no text). */
  src?: SourceFile | null;
  /** undefined until parsed; null when it had errors (skipped with a warning, as stap). */
  parsed?: A.StapFile | null;
}

/**
 * Scans by file identity (path, size, modification time). The startup snapshot is built with
 * the package's own tapsets scanned (`scanTapsets`), so a start reads no tapset until it parses
 * one: most scripts' probe points are built-in, but every one must be looked up among aliases.
 */
const SCANS = new Map<string, Scan>();

function identity(path: string): string | null {
  try {
    const st = fs.statSync(path, { bigint: true });
    return `${path}\0${st.size}\0${st.mtimeNs}`;
  } catch {
    return null;
  }
}

/** Fills the scan cache with the files of `includePath` (the snapshot build calls it). */
export function scanTapsets(includePath: string[], env: ParseEnv): void {
  new Library(includePath, env);
}

const ALIAS_RE = /^[ \t]*probe[ \t]+([^{=]*?)\+?=/gm;
const FUNCTION_RE = /^[ \t]*(?:private[ \t]+)?function[ \t]+([A-Za-z_][A-Za-z0-9_]*)/gm;
const GLOBAL_RE = /^[ \t]*(?:private[ \t]+)?global[ \t]+([^\n;]*)/gm;

export class Library {
  readonly chosen = new Set<A.StapFile>();
  private readonly indexed: IndexedFile[] = [];
  private readonly parsedFiles = new Set<A.StapFile>();

  constructor(includePath: string[], private readonly env: ParseEnv) {
    for (const path of collectLibraryFiles(includePath, env, '.stp')) {
      const id = identity(path);
      const known = id === null ? undefined : SCANS.get(id);
      if (known) {
        this.indexed.push({ path, ...known });
        continue;
      }
      const src = readLibraryFile(path, env);
      if (!src) continue;
      const scan = scanText(src.text);
      if (id !== null) SCANS.set(id, scan);
      this.indexed.push({ path, src, ...scan });
    }
  }

  /** Whether `file` came from the library (rather than the user's script). */
  isLibrary(file: A.StapFile): boolean {
    return this.parsedFiles.has(file);
  }

  /** Aliases of the library that could match `pp` (by their names' functors). */
  aliasesFor(pp: A.ProbePoint): A.ProbeAlias[] {
    const want = pp.components.map((c) => c.functor);
    // Derivation asks again for every point an alias expands to (`kernel.trace` 360 times
    // under syscall.*): the answer for a list of functors never changes.
    const key = want.join('\0');
    let found = this.aliasCache.get(key);
    if (!found) {
      const matches = (name: string[]) => name.length <= want.length && name.every((f, i) => fnmatch(want[i]!, f));
      found = this.parse((f) => f.aliasNames.some(matches)).flatMap((f) => f.aliases);
      this.aliasCache.set(key, found);
    }
    return found;
  }

  private readonly aliasCache = new Map<string, A.ProbeAlias[]>();

  functions(name: string): { file: A.StapFile; decl: A.FunctionDecl }[] {
    const out: { file: A.StapFile; decl: A.FunctionDecl }[] = [];
    for (const file of this.parse((f) => f.functions.has(name))) for (const decl of file.functions) if (decl.name === name) out.push({ file, decl });
    return out;
  }

  global(name: string): { file: A.StapFile; decl: A.VarDecl } | null {
    for (const file of this.parse((f) => f.globals.has(name))) for (const decl of file.globals) if (decl.name === name) return { file, decl };
    return null;
  }

  /** Every function of every library file (parses them all: for --dump-functions). */
  allFunctions(): { file: A.StapFile; decl: A.FunctionDecl }[] {
    return this.parse(() => true).flatMap((file) => file.functions.map((decl) => ({ file, decl })));
  }

  /** Every alias name as functors, for mismatch suggestions (from the scan: no parsing). */
  aliasNames(): string[][] {
    return this.indexed.flatMap((f) => f.aliasNames);
  }

  /** Names for "did you mean" suggestions (from the scan: no parsing). */
  allFunctionNames(): string[] {
    return this.indexed.flatMap((f) => [...f.functions]);
  }

  /** The parsed files among those `wanted`, in library order. */
  private parse(wanted: (f: IndexedFile) => boolean): A.StapFile[] {
    const out: A.StapFile[] = [];
    for (const f of this.indexed) {
      if (!wanted(f)) continue;
      if (f.parsed === undefined) {
        if (f.src === undefined) f.src = readLibraryFile(f.path, this.env);
        f.parsed = f.src ? new Parser(f.src, this.env, { privileged: true, userFile: false, errorsAsWarnings: true, noCompatible: true }).parseFile() : null;
        if (f.parsed) this.parsedFiles.add(f.parsed);
        else if (f.src) this.env.reporter.warning(`tapset "${f.path}" has errors, and will be skipped`);
      }
      if (f.parsed) out.push(f.parsed);
    }
    return out;
  }
}

function scanText(text: string): Scan {
  const aliasNames: string[][] = [];
  for (const m of text.matchAll(ALIAS_RE)) {
    // `probe a.b, c.d("x") =`: each name's functors, arguments dropped.
    for (const name of m[1]!.replace(/\([^)]*\)/g, '').split(',')) {
      const parts = name.trim().split('.').map((s) => s.trim());
      if (parts[0]) aliasNames.push(parts);
    }
  }
  const functions = new Set([...text.matchAll(FUNCTION_RE)].map((m) => m[1]!));
  const globals = new Set<string>();
  for (const m of text.matchAll(GLOBAL_RE)) for (const id of m[1]!.replace(/\[[^\]]*\]|=[^,]*/g, '').matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) globals.add(id[0]);
  return { aliasNames, functions, globals };
}
