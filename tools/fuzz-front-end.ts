// Fuzzes the front end (not run in CI): mutates corpus scripts and parses each mutant in-process.
// Fails on any escaping exception, any parse that takes too long, or any "parse error:" that
// does not point at a location.
//
//   node dist/tools/fuzz-front-end.js [COUNT=1000000] [SEED=1]

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Reporter } from '../src/diag/reporter.js';
import { SourceFile } from '../src/diag/source.js';
import { defaultParseEnv } from '../src/parse/env.js';
import { Parser } from '../src/parse/parser.js';

const root = path.resolve(__dirname, '..', '..');
const count = Number(process.argv[2] ?? 1_000_000);
let seed = Number(process.argv[3] ?? 1);

/** xorshift32: reproducible from the seed. */
function rand(n: number): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
}

const corpus: string[] = [];
for (const dir of ['tests/corpus/parse', 'tests/corpus/fail', 'tapset']) {
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.stpm?$/.test(e.name)) corpus.push(fs.readFileSync(p, 'latin1'));
    }
  };
  walk(path.join(root, dir));
}
const fragments = ['%(', '%?', '%:', '%)', '@define', '@', '$', '$1', '@1', '$#', '"', '/*', '%{', '%}', '{', '}', '(', ')',
  '[', ']', ',', ';', '->', '<<<', '=~', 'probe', 'function', 'global', 'private', 'foreach', 'in', 'limit', 'try', 'catch',
  '@hist_log(', '@cast(', '@defined(', '\n', '\\', '\x00', '\xff', '9999999999999999999999', '0x', '?', '!', '.', '*'];

function mutate(s: string): string {
  const n = 1 + rand(4);
  for (let i = 0; i < n; i++) {
    const at = rand(s.length + 1);
    switch (rand(5)) {
      case 0: s = s.slice(0, at) + s.slice(at + 1 + rand(8)); break;
      case 1: s = s.slice(0, at) + fragments[rand(fragments.length)] + s.slice(at); break;
      case 2: s = s.slice(0, at) + String.fromCharCode(rand(256)) + s.slice(at + 1); break;
      case 3: {
        const other = corpus[rand(corpus.length)]!;
        const from = rand(other.length);
        s = s.slice(0, at) + other.slice(from, from + rand(80)) + s.slice(at);
        break;
      }
      default: s = s.slice(0, at) + s.slice(at, at + rand(40)).repeat(2) + s.slice(at + rand(40));
    }
  }
  return s;
}

let errors = 0;
let slowest = 0;
const start = Date.now();
for (let i = 0; i < count; i++) {
  const text = mutate(corpus[rand(corpus.length)]!);
  let out = '';
  const reporter = new Reporter((s) => (out += s));
  const env = defaultParseEnv(reporter, { args: ['a', 'b'], kernelConfig: () => new Map([['CONFIG_SMP', 'y']]) });
  const t0 = process.hrtime.bigint();
  try {
    new Parser(new SourceFile('fuzz.stp', text), env, { privileged: rand(2) === 0, userFile: true }).parseFile();
  } catch (e) {
    errors++;
    fs.writeFileSync(`/tmp/fuzz-crash-${i}.stp`, text, 'latin1');
    console.error(`case ${i}: exception escaped: ${(e as Error).stack}`);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  slowest = Math.max(slowest, ms);
  if (ms > 1000) {
    errors++;
    fs.writeFileSync(`/tmp/fuzz-slow-${i}.stp`, text, 'latin1');
    console.error(`case ${i}: took ${ms.toFixed(0)} ms`);
  }
  const blocks = out.split('parse error: ').slice(1);
  for (const b of blocks) {
    if (!/\n {5}(    at|   saw): (\S.* at fuzz\.stp:\d+:\d+|fuzz\.stp EOF)\n/.test(b)) {
      errors++;
      fs.writeFileSync(`/tmp/fuzz-noloc-${i}.stp`, text, 'latin1');
      console.error(`case ${i}: error without location:\n${b}`);
      break;
    }
  }
  if (errors > 20) break;
  if ((i + 1) % 100000 === 0) console.log(`${i + 1} cases, ${((Date.now() - start) / 1000).toFixed(1)} s, ${errors} problems`);
}
console.log(`${count} mutated scripts in ${((Date.now() - start) / 1000).toFixed(1)} s; slowest ${slowest.toFixed(1)} ms; ${errors} problems`);
process.exitCode = errors ? 1 : 0;
