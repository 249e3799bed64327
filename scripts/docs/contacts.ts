/**
 * The incident contacts file, infra/incident/contacts.yaml: who to call in an incident, filled in
 * by the operator. This checks its shape (docs/incident-response.md lists the same fields, and
 * tests/docs/incident-response.test.ts keeps the two equal).
 *
 * Usage: `pnpm incident:contacts` checks the shape; `pnpm incident:contacts --filled` also fails
 * while any value is still empty or a placeholder (run it before relying on the file). A path
 * argument checks another file. Exit 0 only when the file is valid.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const CONTACTS_FILE = fileURLToPath(
  new URL("../../infra/incident/contacts.yaml", import.meta.url),
);

/** The roles of docs/incident-response.md; each must have a contact. */
export const ROLES = ["incident-commander", "communications", "operations"] as const;

/** Each contact's fields: name, whether required, what it holds. */
export const FIELDS = [
  { field: "role", required: true, meaning: "an incident role, or another duty (e.g. `database`)" },
  { field: "name", required: true, meaning: "the person or rotation" },
  { field: "primary", required: true, meaning: "how to reach them first: phone, pager or chat" },
  { field: "secondary", required: false, meaning: "the fallback when primary does not answer" },
  { field: "hours", required: true, meaning: "when they can be reached, e.g. `24/7`" },
  {
    field: "escalate_after_minutes",
    required: true,
    meaning: "minutes without an acknowledgement before the next contact is called",
  },
] as const;

const PLACEHOLDER = /^(|TODO.*|<.*>|x+|tbd|changeme)$/i;

/** Problems with a parsed contacts document; empty when valid. `filled`: placeholders too. */
export function contactsProblems(doc: unknown, options: { filled?: boolean } = {}): string[] {
  const problems: string[] = [];
  if (typeof doc !== "object" || doc === null) return ["the file must be a YAML mapping"];
  const { version, contacts } = doc as { version?: unknown; contacts?: unknown };
  if (version !== 1) problems.push("version: must be 1");
  if (!Array.isArray(contacts) || contacts.length === 0)
    return [...problems, "contacts: must be a non-empty list"];
  const known = new Set<string>(FIELDS.map((f) => f.field));
  contacts.forEach((contact: unknown, i) => {
    const where = `contacts[${i}]`;
    if (typeof contact !== "object" || contact === null) {
      problems.push(`${where}: must be a mapping`);
      return;
    }
    const entry = contact as Record<string, unknown>;
    for (const key of Object.keys(entry))
      if (!known.has(key)) problems.push(`${where}.${key}: not a known field`);
    for (const { field, required } of FIELDS) {
      const value = entry[field];
      if (value === undefined || value === null) {
        if (required) problems.push(`${where}.${field}: missing`);
        continue;
      }
      if (field === "escalate_after_minutes") {
        if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 240)
          problems.push(`${where}.${field}: must be a whole number of minutes, 1 to 240`);
        continue;
      }
      if (typeof value !== "string") {
        problems.push(`${where}.${field}: must be a string`);
        continue;
      }
      if (field === "role" && !/^[a-z][a-z-]*$/.test(value))
        problems.push(`${where}.role: lowercase words joined by -`);
      if (options.filled && PLACEHOLDER.test(value.trim()))
        problems.push(`${where}.${field}: still a placeholder (${JSON.stringify(value)})`);
    }
  });
  const roles = new Set(contacts.map((c: { role?: unknown }) => c?.role));
  for (const role of ROLES) if (!roles.has(role)) problems.push(`contacts: no ${role}`);
  return problems;
}

function main(): void {
  const args = process.argv.slice(2);
  const path = args.find((a) => !a.startsWith("--")) ?? CONTACTS_FILE;
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, "utf8"));
  } catch (error) {
    console.error(`${path}: ${(error as Error).message}`);
    process.exit(1);
  }
  const problems = contactsProblems(doc, { filled: args.includes("--filled") });
  if (problems.length > 0) {
    for (const p of problems) console.error(`${path}: ${p}`);
    process.exit(1);
  }
  console.log(`${path}: valid`);
}

if (import.meta.main) main();
