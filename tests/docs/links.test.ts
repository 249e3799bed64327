import { existsSync } from "node:fs";
import { basename, dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { filesUnder, prose, ROOT, read } from "./support.js";

// The documents find each other: docs/README.md indexes every document, the README links the
// index and the operations documents, and no relative link points at a file that is not there.

const DOCS = ["README.md", ...filesUnder("docs", [".md"])];

/** Relative link targets of a Markdown text (outside code), without their #fragment. */
export function relativeLinks(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? "")
    .filter((href) => !/^[a-z]+:/i.test(href) && !href.startsWith("#"))
    .map((href) => href.replace(/#.*$/, ""));
}

describe("links between the documents", () => {
  it.each(DOCS)("%s links only to files that exist", (file) => {
    const missing = relativeLinks(read(file)).filter(
      (href) => !existsSync(join(ROOT, normalize(join(dirname(file), href)))),
    );
    expect(missing).toEqual([]);
  });

  it("docs/README.md indexes every document of docs/", () => {
    const index = read("docs/README.md");
    for (const file of filesUnder("docs", [".md"]).filter((f) => dirname(f) === "docs"))
      if (basename(file) !== "README.md") expect(index, file).toContain(`](${basename(file)})`);
    expect(index).toContain("](runbooks/README.md)");
  });

  it("the README links the index and the operations documents", () => {
    const readme = read("README.md");
    for (const doc of [
      "docs/README.md",
      "docs/configuration.md",
      "docs/troubleshooting.md",
      "docs/incident-response.md",
      "docs/api-versioning.md",
      "docs/security.md",
      "docs/performance.md",
      "docs/runbooks/README.md",
      "loadtests/README.md",
    ])
      expect(readme, doc).toContain(`](${doc})`);
  });

  it("finds a broken link", () => {
    expect(relativeLinks("see [x](nope.md#a), [y](https://example.com), [z](#here)")).toEqual([
      "nope.md",
    ]);
  });
});
