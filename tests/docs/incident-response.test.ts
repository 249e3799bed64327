import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONTACTS_FILE, contactsProblems, FIELDS, ROLES } from "../../scripts/docs/contacts.js";
import { commandProblems, filesUnder, ROOT, read, reality } from "./support.js";

// docs/incident-response.md has what the issue lists, its contacts table matches the fields the
// contacts check knows, infra/incident/contacts.yaml passes that check, and every runbook is
// linked.

const doc = read("docs/incident-response.md");
/** The text under a `## ` heading, up to the next one outside a fenced block. */
function section(title: string): string {
  const lines = doc.split("\n");
  const out: string[] = [];
  let inside = false;
  let fenced = false;
  for (const line of lines) {
    if (line.startsWith("```")) fenced = !fenced;
    if (!fenced && line.startsWith("## ")) {
      inside = line.trim() === `## ${title}`;
      continue;
    }
    if (inside) out.push(line);
  }
  return out.join("\n");
}

describe("docs/incident-response.md", () => {
  it("has severity levels SEV1–SEV4, each with response-time SLAs", () => {
    const levels = section("Severity levels");
    expect(levels).toMatch(/acknowledge within/);
    expect(levels).toMatch(/updates every/);
    for (const level of ["SEV1", "SEV2", "SEV3", "SEV4"])
      expect(levels).toMatch(
        new RegExp(`^\\| ${level}\\s+\\|.*(\\d+ (min|h|business)|next business day)`, "m"),
      );
  });

  it("names the roles: incident commander, communications, operations", () => {
    const roles = section("Roles");
    for (const role of ["Incident commander", "Communications", "Operations"])
      expect(roles).toContain(`**${role}**`);
  });

  it("walks through the first 15 minutes with commands", () => {
    const first = section("The first 15 minutes");
    for (const step of ["Minute 0–2", "Minute 2–5", "Minute 5–10", "Minute 10–15"])
      expect(first).toContain(step);
    for (const command of ["/readyz", "/metrics", "pnpm projections check", "docker compose ps"])
      expect(first).toContain(command);
    expect(first).toContain("<!-- docs-test: docker-only -->");
  });

  it("has initial, update and resolved communication templates", () => {
    const templates = section("Communication templates");
    for (const t of ["**Initial**", "**Update**", "**Resolved:**"]) expect(templates).toContain(t);
  });

  it("has a post-incident review template", () => {
    const review = section("Post-incident review");
    for (const heading of ["## Summary", "## Impact", "## Timeline", "## Cause", "## Actions"])
      expect(review).toContain(heading);
  });

  it("links every runbook", () => {
    for (const file of filesUnder("docs/runbooks", [".md"]))
      if (basename(file) !== "README.md")
        expect(doc, `${file} is not linked`).toContain(`](runbooks/${basename(file)})`);
  });

  it("names only real scripts, routes, metrics, panels and variables", () => {
    expect(commandProblems(doc, reality())).toEqual([]);
  });
});

describe("the contacts file", () => {
  it("lists in the docs exactly the fields the check knows", () => {
    const rows = [...section("Contacts").matchAll(/^\| `([a-z_]+)`\s*\| (yes|no)\s*\|/gm)].map(
      (m) => ({ field: m[1], required: m[2] === "yes" }),
    );
    expect(rows).toEqual(FIELDS.map(({ field, required }) => ({ field, required })));
  });

  it("infra/incident/contacts.yaml has the shape, with every role, placeholders allowed", () => {
    const contacts = parse(read("infra/incident/contacts.yaml"));
    expect(contactsProblems(contacts)).toEqual([]);
    for (const role of ROLES)
      expect(contacts.contacts.map((c: { role: string }) => c.role)).toContain(role);
    // Until the operator fills it in, --filled says what is missing.
    expect(contactsProblems(contacts, { filled: true }).join("\n")).toMatch(/placeholder/);
  });

  it("the check fails on a broken file, naming each problem", () => {
    const problems = contactsProblems({
      version: 1,
      contacts: [
        { role: "incident-commander", name: "Ada", primary: "+1 555 0100", hours: "24/7" },
        { role: "Ops Team", name: 7, primary: "x", hours: "24/7", escalate_after_minutes: 0 },
        {
          role: "communications",
          name: "Bo",
          primary: "@bo",
          hours: "9-17",
          pager: "yes",
          escalate_after_minutes: 30,
        },
      ],
    });
    for (const expected of [
      /contacts\[0\]\.escalate_after_minutes: missing/,
      /contacts\[1\]\.role: lowercase/,
      /contacts\[1\]\.name: must be a string/,
      /contacts\[1\]\.escalate_after_minutes: must be a whole number/,
      /contacts\[2\]\.pager: not a known field/,
      /contacts: no operations/,
    ])
      expect(
        problems.some((p) => expected.test(p)),
        `${expected} in ${problems.join("; ")}`,
      ).toBe(true);
  });

  it("pnpm incident:contacts exits 0 on the committed file and 1 on a broken one", () => {
    const script = join(ROOT, "scripts/docs/contacts.ts");
    const ok = spawnSync(process.execPath, [script], { encoding: "utf8" });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`${CONTACTS_FILE}: valid`);
    const broken = join(mkdtempSync(join(tmpdir(), "hookrail-contacts-")), "contacts.yaml");
    writeFileSync(broken, "version: 2\ncontacts: []\n");
    const bad = spawnSync(process.execPath, [script, broken], { encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/version: must be 1/);
  });
});
