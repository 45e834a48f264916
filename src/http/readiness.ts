/**
 * Bounds a readiness check: the answer comes within `deadlineMs` (false if the check is still running, as
 * it does for ever against a black-holed database until the pool's own timeouts fire), and only one check
 * runs at a time (probes arriving meanwhile share it), so a hung database holds at most one connection
 * for readiness, however often an orchestrator asks.
 */
export function boundedCheck(check: () => Promise<boolean>, deadlineMs: number): () => Promise<boolean> {
  let running: Promise<boolean> | null = null;
  return async () => {
    if (!running) {
      const p = check().catch(() => false).finally(() => { if (running === p) running = null; });
      running = p;
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), deadlineMs); });
    try {
      return await Promise.race([running, late]);
    } finally {
      clearTimeout(timer);
    }
  };
}
