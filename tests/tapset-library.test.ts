// Every file of SystemTap's own tapset library (Debian systemtap-common) parses at pass 1,
// with stap's library macros in scope, as `stap -p1` reads it.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTstap } from './corpus-runner.js';

const REFERENCE = '/usr/share/systemtap/tapset';

function stpFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return stpFiles(p);
    return e.name.endsWith('.stp') ? [p] : [];
  });
}

test('the reference tapset library is installed (tools/reference-tapsets.sh)', () => {
  assert.ok(fs.existsSync(REFERENCE), `${REFERENCE} is missing: run tools/reference-tapsets.sh as root`);
});

const files = fs.existsSync(REFERENCE) ? stpFiles(REFERENCE).sort() : [];

test('there are many tapset files', () => {
  assert.ok(files.length > 100, `only ${files.length} .stp files under ${REFERENCE}`);
});

for (const file of files) {
  test(`tapset parses: ${path.relative(REFERENCE, file)}`, async () => {
    const saved = process.env['SYSTEMTAP_TAPSET'];
    process.env['SYSTEMTAP_TAPSET'] = REFERENCE;
    try {
      const empty = `Input file '${file}' is empty after preprocessing.\nPass 1: parse failed.  [man error::pass1]\n`;
      let r = await runTstap(['-p1', '-g', file]);
      if (r.stderr === empty) {
        // The whole file is conditional on an old kernel or stap (stap says the same): read it as one.
        r = await runTstap(['-p1', '-g', '-r', '2.6.32', '--compatible=2.6', file]);
        // Still empty only where it also depends on this kernel's config (CONFIG_NFSD).
        if (r.stderr === empty && fs.readFileSync(file, 'latin1').includes('CONFIG_')) return;
      }
      assert.equal(r.stderr, '');
      assert.equal(r.rc, 0);
      assert.ok(r.stdout.startsWith(`# parse tree dump\n# file ${file}\n`));
    } finally {
      if (saved === undefined) delete process.env['SYSTEMTAP_TAPSET'];
      else process.env['SYSTEMTAP_TAPSET'] = saved;
    }
  });
}
