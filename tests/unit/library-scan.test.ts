// The tapset library's scan cache (by path, size and mtime): a file edited after a scan, even
// to the same size, is scanned again; an unchanged one is not read until it is parsed.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Library } from '../../src/elaborate/library.js';
import { defaultParseEnv } from '../../src/parse/env.js';
import { Reporter } from '../../src/diag/reporter.js';

const env = () => defaultParseEnv(new Reporter(() => {}), { args: [], guru: false, privilege: 'stapdev' });

test('an edited tapset is scanned again; the cache never hides a definition', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tstap-scan-'));
  const file = path.join(dir, 'a.stp');
  try {
    fs.writeFileSync(file, 'function fa() { return 1 }\n');
    assert.equal(new Library([dir], env()).functions('fa').length, 1);
    // Same size, new name, new mtime.
    fs.writeFileSync(file, 'function fb() { return 1 }\n');
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const lib = new Library([dir], env());
    assert.equal(lib.functions('fa').length, 0);
    assert.equal(lib.functions('fb').length, 1);
    // Unchanged since the last scan: found again, the text read only to parse it.
    assert.deepEqual(new Library([dir], env()).allFunctionNames(), ['fb']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
