import { streamId } from "@hookrail/contracts";
import {
  createScratchDatabase,
  type EventStoreDb,
  migrate,
  openDatabase,
  readStream,
} from "@hookrail/event-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAdminEvent } from "./record.js";

let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let store: EventStoreDb;

beforeAll(async () => {
  scratch = await createScratchDatabase(
    "postgres://postgres@127.0.0.1:5432/postgres",
    "hookrail_test_admin",
  );
  store = openDatabase({ url: scratch.url, poolSize: 16 });
  await migrate(store.db);
});
afterAll(async () => {
  await store?.close();
  await scratch?.drop();
});

describe("recordAdminEvent", () => {
  it("records every one of many concurrent changes to one resource, in turn", async () => {
    const stream = streamId.subscription("sub_concurrent");
    const changes = Array.from({ length: 16 }, (_, i) =>
      recordAdminEvent(store.db, stream, {
        type: i % 2 ? "SubscriptionPaused" : "SubscriptionResumed",
        data: { subscriptionId: "sub_concurrent" },
      }),
    );
    const outcomes = await Promise.allSettled(changes);
    expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
    const events = await readStream(store.db, stream);
    expect(events.map((e) => e.version)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });
});
