/**
 * A trailing-edge debounce for restarts: many requests in a burst cause one restart.
 *
 * The timer functions are injectable so tests control time. No `vscode` import.
 */

/** The timer functions the debouncer uses. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Return a function that runs `action` once, `ms` after the last of a burst of calls. */
export function debounce(action: () => void, ms: number, timers: Timers = realTimers): () => void {
  let handle: unknown;
  return () => {
    if (handle !== undefined) {
      timers.clearTimeout(handle);
    }
    handle = timers.setTimeout(() => {
      handle = undefined;
      action();
    }, ms);
  };
}
