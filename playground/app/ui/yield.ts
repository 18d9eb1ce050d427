/**
 * Handing the main thread back to the browser between pieces of work, so that a long
 * training run never freezes the page. The work runs in slices of a few tens of
 * milliseconds: short enough for input and painting to stay smooth, long enough that the
 * hand-overs cost little.
 */

const channel = typeof MessageChannel === 'function' ? new MessageChannel() : null;
const waiting: (() => void)[] = [];
if (channel) channel.port1.onmessage = () => waiting.shift()?.();

/**
 * Resolves in a new task, queued behind whatever else is waiting. setTimeout(0) would do,
 * but nested timers are clamped to 4 ms, a tax on every slice; a MessageChannel message is
 * not clamped (nor throttled in background tabs, where training should keep going).
 * scheduler.yield() is not used: its continuation jumps the queue, which starves other
 * tasks (another panel's loop, a fetch) while training runs.
 */
export function nextTask(): Promise<void> {
  if (!channel) return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(0);
  });
}

/** How long one slice of work may hold the main thread, in milliseconds. */
export const SLICE_MS = 30;

/** Resolves on the next animation frame (or after 16 ms where frames do not come, e.g. hidden tabs). */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (!done) {
        done = true;
        resolve();
      }
    };
    requestAnimationFrame(finish);
    setTimeout(finish, 100);
  });
}
