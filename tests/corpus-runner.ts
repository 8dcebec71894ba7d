// Shared by the corpus tests: runs tstap in-process on a corpus script with the options and
// arguments its header asks for (`// opts: ...`, `// argv: ...`), capturing output as bytes.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../src/cli/main.js';

/** The repository root; corpus paths are relative to it, as in the expected outputs. */
export const ROOT = path.resolve(__dirname, '..', '..');

export interface RunResult {
  rc: number;
  stdout: string;
  stderr: string;
}

/** Options and script arguments from a corpus script's `// opts:` and `// argv:` lines. */
export function headerArgs(text: string): { opts: string[]; argv: string[] } {
  const word = (re: RegExp) => {
    const m = re.exec(text);
    return m ? m[1]!.trim().split(/\s+/).filter(Boolean) : [];
  };
  return { opts: word(/^\/\/ opts:(.*)$/m), argv: word(/^\/\/ argv:(.*)$/m) };
}

export async function runTstap(argv: string[]): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const rc = await main(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
    return { rc, stdout, stderr };
  } finally {
    process.chdir(cwd);
  }
}

/** Pairs of (script, expected-output file) in a corpus directory. */
export function corpus(dir: string, expectedExt: string): { rel: string; script: string; expected: string }[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs).filter((f) => f.endsWith('.stp')).sort().map((f) => {
    const expectedFile = path.join(abs, f.slice(0, -4) + expectedExt);
    return {
      rel: path.join(dir, f),
      script: fs.readFileSync(path.join(abs, f), 'latin1'),
      // A script without its expected output fails its test rather than vanishing from it.
      expected: fs.existsSync(expectedFile) ? fs.readFileSync(expectedFile, 'latin1') : `<missing ${expectedFile}>`,
    };
  });
}
