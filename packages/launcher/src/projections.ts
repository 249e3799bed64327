import { openDatabase, rebuildProjections } from "@hookrail/event-store";
import { loadLauncherConfig } from "./env.js";

const USAGE = "usage: pnpm projections check|rebuild";

/**
 * `pnpm projections check` replays the event log into fresh projections, compares them with the
 * live ones and changes nothing; `rebuild` also commits the rebuilt projections. Exit 0 only
 * when the live projections equal the rebuilt ones (check) or the rebuild committed.
 */
export async function projections(args: readonly string[]): Promise<number> {
  const mode = args[0];
  if (mode !== "check" && mode !== "rebuild") {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadLauncherConfig();
  const store = openDatabase({
    url: config.DATABASE_URL,
    poolSize: 1,
    applicationName: "hookrail-projections",
  });
  try {
    const report = await rebuildProjections(store.db, {
      commit: mode === "rebuild",
      onProgress: (n) => process.stderr.write(`\rreplayed ${n} events`),
    });
    process.stderr.write("\n");
    for (const t of report.tables) {
      const verdict =
        t.onlyLive === 0 && t.onlyRebuilt === 0
          ? "equal"
          : `DIFFERS (only live: ${t.onlyLive}, only rebuilt: ${t.onlyRebuilt})`;
      process.stdout.write(
        `${t.table.padEnd(14)} live ${String(t.liveRows).padStart(8)}  rebuilt ${String(t.rebuiltRows).padStart(8)}  ${verdict}\n`,
      );
    }
    process.stdout.write(
      `${report.eventsReplayed} events replayed; projections ${report.equal ? "equal the log" : "differ from the log"}${report.committed ? "; rebuilt projections committed" : ""}\n`,
    );
    return report.equal || report.committed ? 0 : 1;
  } finally {
    await store.close();
  }
}
