// Benchmark: parse SystemTap's whole installed tapset library (pass 1a, as stap does on
// every run), in-process, best of N rounds. Run: node dist/bench/parse-tapsets.js [ROUNDS]

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Reporter } from '../src/diag/reporter.js';
import { SourceFile } from '../src/diag/source.js';
import { defaultParseEnv } from '../src/parse/env.js';
import { collectLibraryFiles, loadLibraryMacros } from '../src/parse/library.js';
import { Parser } from '../src/parse/parser.js';

const REFERENCE = process.env['SYSTEMTAP_TAPSET'] || '/usr/share/systemtap/tapset';
const rounds = Number(process.argv[2] ?? 5);

function allStp(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? allStp(p) : e.name.endsWith('.stp') ? [p] : [];
  });
}

function round(files: string[]): { ms: number; bytes: number; failed: number } {
  const t0 = process.hrtime.bigint();
  const env = defaultParseEnv(new Reporter(() => {}));
  loadLibraryMacros([REFERENCE], env);
  let bytes = 0;
  let failed = 0;
  for (const f of files) {
    const src = SourceFile.read(f);
    bytes += src.text.length;
    const parsed = new Parser(src, env, { privileged: true, userFile: false, errorsAsWarnings: true, noCompatible: true }).parseFile();
    if (!parsed) failed++;
  }
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, bytes, failed };
}

const env = defaultParseEnv(new Reporter(() => {}));
const searched = collectLibraryFiles([REFERENCE], env, '.stp');
const every = allStp(REFERENCE);
for (const [label, files] of [['tapsets stap would load on this kernel', searched], ['every .stp file in the library', every]] as const) {
  const results = Array.from({ length: rounds }, () => round(files));
  const best = Math.min(...results.map((r) => r.ms));
  const r = results[0]!;
  console.log(`${label}: ${files.length} files, ${(r.bytes / 1024).toFixed(0)} KiB, best ${best.toFixed(1)} ms ` +
    `(first ${r.ms.toFixed(1)} ms) of ${rounds}; ${r.failed} with errors`);
}
