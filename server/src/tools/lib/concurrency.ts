/**
 * Runs `task(0..count-1)` with at most `limit` running at once, starting no new task once `signal` has fired.
 * Resolves when every started task has settled (tasks handle their own errors).
 */
export async function forEachLimited(
  count: number,
  limit: number,
  signal: AbortSignal,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count && !signal.aborted) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}
