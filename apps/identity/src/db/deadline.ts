/**
 * A time-out for waiting on the database that does not mistake a starved process for a silent
 * database. A plain `setTimeout` fires in the event loop's timer phase, before the poll phase reads
 * the sockets: when the process itself was held up (a loaded machine, a long synchronous task), the
 * timer fires late with the database's answer already waiting unread, and the database is declared
 * gone while it answered in time. This one, when due:
 * - re-arms (at most twice) when it fired late by more than a quarter of its length (or 50 ms): the
 *   process, not the database, lost that time;
 * - otherwise gives the poll phase one turn (`setImmediate`) so that an answer already received is
 *   read first, and calls `onMiss` only if nobody cleared it meanwhile.
 * A stalled database is still detected after `ms` on a healthy process, and after at most 3 × `ms`
 * plus the lag on a starved one.
 */
export interface Deadline {
  clear(): void;
}

export function deadline(ms: number, onMiss: () => void): Deadline {
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let cleared = false;
  let extensions = 0;
  const arm = () => {
    const due = performance.now() + ms;
    timer = setTimeout(() => {
      if (cleared) return;
      const late = performance.now() - due;
      if (late > Math.max(50, ms / 4) && extensions < 2) {
        extensions++;
        arm();
        return;
      }
      immediate = setImmediate(() => {
        if (!cleared) onMiss();
      });
    }, ms);
    timer.unref();
  };
  arm();
  return {
    clear() {
      cleared = true;
      clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
    },
  };
}
