import { describe, expect, it } from "vitest";
import { MANIFEST_FORMAT, Manifest } from "./manifest.js";

// F-11: a manifest that names a file outside its backup is malformed. No I/O here.

const sha = "0".repeat(64);
const good = () => ({
  format: MANIFEST_FORMAT,
  id: "20260101T000000Z-abcd",
  startedAt: "2026-01-01T00:00:00.000Z",
  completedAt: "2026-01-01T00:00:01.000Z",
  versions: { hookrail: "0.1.0", node: "24", pgDump: "17", postgresServer: "17", natsServer: "2" },
  postgres: {
    database: "hookrail",
    dumpFile: "postgres.dump",
    snapshotAt: "2026-01-01T00:00:00.000Z",
    tables: { "public.events": { rows: 1, sha256: sha } },
    lastProcessedSequence: 1,
  },
  jetstream: {
    prefix: "hookrail",
    streams: [
      {
        name: "HOOKRAIL_WEBHOOKS",
        snapshotFile: "jetstream/HOOKRAIL_WEBHOOKS/stream.tar.s2",
        metadataFile: "jetstream/HOOKRAIL_WEBHOOKS/backup.json",
        state: { messages: 1, bytes: 1, first_seq: 1, last_seq: 1, consumer_count: 1 },
        consumers: ["processor"],
        requestedAt: "2026-01-01T00:00:00.000Z",
        snapshotAt: "2026-01-01T00:00:00.000Z",
      },
    ],
  },
  resume: [],
  files: [{ path: "postgres.dump", bytes: 1, sha256: sha }],
});
type Raw = ReturnType<typeof good>;

const FIELDS: Array<[string, (m: Raw, p: string) => void]> = [
  ["files.0.path", (m, p) => (m.files[0] = { path: p, bytes: 1, sha256: sha })],
  ["postgres.dumpFile", (m, p) => (m.postgres.dumpFile = p)],
  [
    "jetstream.streams.0.snapshotFile",
    (m, p) => ((m.jetstream.streams[0] as { snapshotFile: string }).snapshotFile = p),
  ],
  [
    "jetstream.streams.0.metadataFile",
    (m, p) => ((m.jetstream.streams[0] as { metadataFile: string }).metadataFile = p),
  ],
];

const BAD: Array<[string, string]> = [
  ["an absolute path", "/etc/passwd"],
  ["a drive-letter path", "C:/backups/postgres.dump"],
  ["a .. segment", "../other-backup/postgres.dump"],
  ["a .. segment in the middle", "jetstream/../../../etc/passwd"],
  ["a backslash", "..\\..\\etc\\passwd"],
  ["NUL", "postgres.dump\0"],
  ["an empty path", ""],
];

describe("Manifest schema: paths (F-11)", () => {
  it("accepts a manifest whose every path is a plain relative path", () => {
    expect(Manifest.safeParse(good()).success).toBe(true);
  });

  for (const [field, set] of FIELDS)
    it.each(BAD)(`refuses ${field} holding %s`, (_what, path) => {
      const m = good();
      set(m, path);
      const parsed = Manifest.safeParse(m);
      expect(parsed.success).toBe(false);
      const issue = parsed.error?.issues[0];
      expect(issue?.path.join(".")).toBe(field);
      expect(issue?.message).toMatch(/^not a path inside the backup: it /);
    });
});
