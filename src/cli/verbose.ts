// stap's -v pass lines: "Pass N: ... using Xvirt/Yres/Zshr/Wdata kb, in Uusr/Ssys/Rreal ms."

import * as fs from 'node:fs';

export function memUsage(): string {
  try {
    const f = fs.readFileSync('/proc/self/statm', 'latin1').trim().split(/\s+/).map(Number);
    const kb = (pages: number | undefined) => Math.floor(((pages ?? 0) * 4096) / 1024);
    return `using ${kb(f[0])}virt/${kb(f[1])}res/${kb(f[2])}shr/${kb(f[5])}data kb, `;
  } catch {
    return '';
  }
}

/** A stopwatch for one pass, printing stap's TIMESPRINT suffix. */
export class PassTimer {
  private readonly cpu = process.cpuUsage();
  private readonly t0 = process.hrtime.bigint();

  times(): string {
    const c = process.cpuUsage(this.cpu);
    const real = Number((process.hrtime.bigint() - this.t0) / 1_000_000n);
    return `in ${Math.floor(c.user / 1000)}usr/${Math.floor(c.system / 1000)}sys/${real}real ms.`;
  }
}
