import { describe, expect, it } from "vitest";
import { matchSubscriptions } from "./match.js";

const subs = [
  { id: "all", eventTypes: ["*"], sourceIds: null },
  { id: "push-any", eventTypes: ["push"], sourceIds: null },
  { id: "push-src1", eventTypes: ["push", "issues"], sourceIds: ["src1"] },
  { id: "invoices", eventTypes: ["invoice.*"], sourceIds: ["src2"] },
];
const ids = (sourceId: string, eventType: string) =>
  matchSubscriptions(subs, { sourceId, eventType }).map((s) => s.id);

describe("matchSubscriptions", () => {
  it("matches '*' for every type and source", () => {
    expect(ids("srcX", "anything")).toEqual(["all"]);
  });
  it("matches exact types, and filters on source", () => {
    expect(ids("src1", "push")).toEqual(["all", "push-any", "push-src1"]);
    expect(ids("src2", "push")).toEqual(["all", "push-any"]);
    expect(ids("src1", "issues")).toEqual(["all", "push-src1"]);
  });
  it("matches a prefix pattern only at a dot boundary", () => {
    expect(ids("src2", "invoice.paid")).toEqual(["all", "invoices"]);
    expect(ids("src2", "invoicex")).toEqual(["all"]);
    expect(ids("src1", "invoice.paid")).toEqual(["all"]);
  });
  it("is case-sensitive and matches nothing when there are no subscriptions", () => {
    expect(ids("src1", "PUSH")).toEqual(["all"]);
    expect(matchSubscriptions([], { sourceId: "a", eventType: "b" })).toEqual([]);
  });
});
