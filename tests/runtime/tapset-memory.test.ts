// The memory tapset (tapset/linux/memory.stp, exceptions:* and kmem:* tracepoints): the
// workload's page faults on a mapping at a known address, kernel allocations it causes.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTstap } from '../corpus-runner.js';
import { script, workload } from './kernel-fixtures.js';

test('vm.pagefault: one write fault per fresh page, at each page\'s address', async () => {
  const r = await runTstap(['-c', workload('touch 64'), script(`
global faults, pages
probe vm.pagefault {
  if (pid() == target() && address >= 0x600000000000 && address < 0x600000000000 + 64 * 4096) {
    faults[name, write_access]++
    pages[address >> 12] = 1
  }
}
probe end {
  foreach ([n, w] in faults) printf("%s write=%d %d\\n", n, w, faults[n, w])
  count = 0; foreach (p in pages) count++
  printf("pages=%d\\n", count)
}
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'pagefault write=1 64\npages=64\n');
  assert.equal(r.rc, 0);
});

test('vm.kmalloc/kfree/kmem_cache_alloc/kmem_cache_free: the target\'s allocations, sizes consistent', async () => {
  const r = await runTstap(['-c', workload('openat /nonexistent/m 20'), script(`
global n, bad
probe vm.kmalloc { if (pid() == target()) { n[name]++; if (bytes_req > bytes_alloc || ptr == 0 || caller_function != sprintf("0x%x", call_site) || gfp_flag_name != sprintf("0x%x", gfp_flags)) bad++ } }
probe vm.kmem_cache_alloc { if (pid() == target()) { n[name]++; if (bytes_req > bytes_alloc || bytes_alloc == 0 || ptr == 0) bad++ } }
probe vm.kfree { if (pid() == target()) n[name]++ }
probe vm.kmem_cache_free { if (pid() == target()) n[name]++ }
probe end { printf("%d %d %d %d bad=%d\\n", n["kmalloc"] > 0, n["kmem_cache_alloc"] > 0, n["kfree"] > 0, n["kmem_cache_free"] > 0, bad) }
`)]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '1 1 1 1 bad=0\n');
});

test('vm.pagefault.return has no tracepoint: the error names handle_mm_fault', async () => {
  const r = await runTstap(['-e', 'probe vm.pagefault.return { exit() }']);
  if (r.rc !== 0) assert.match(r.stderr, /kernel\.function\("handle_mm_fault"\).*fexit/);
});
