let turn: Promise<void> | undefined;

/**
 * Resolves in the check phase of the event loop's current turn, at the same moment for every
 * caller of that turn.
 *
 * Why: nats.js writes what is queued for the server once per microtask checkpoint, and each
 * webhook's publish starts in its own I/O callback (its request's), so under load every publish
 * was a `write` system call of its own — the largest single cost of a webhook on the gateway's
 * event loop (docs/performance.md). Publishes that wait for the turn are queued in the same
 * checkpoint and leave in one write. The wait is the rest of the turn's I/O callbacks: nothing
 * when the process is idle, at most one turn under load (where the 202's median still fell, from
 * 10–12 to 6–7 ms, since every request spends less time on the socket).
 */
export function sendTurn(): Promise<void> {
  turn ??= new Promise((resolve) => {
    setImmediate(() => {
      turn = undefined;
      resolve();
    });
  });
  return turn;
}
