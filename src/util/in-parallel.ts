// Runs an async job over items with at most `width` in flight, keeping every outcome in the
// items' order. A failure stops new jobs from starting but waits for those under way, so the
// caller sees everything that was created (fds to close) before it reports the first error.

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export async function inParallel<I, T>(items: readonly I[], width: number, job: (item: I) => Promise<T>): Promise<Outcome<T>[]> {
  const out: Outcome<T>[] = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = { ok: true, value: await job(items[i]!) };
      } catch (error) {
        out[i] = { ok: false, error };
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, items.length)) }, worker));
  return out.slice(0, next);
}
