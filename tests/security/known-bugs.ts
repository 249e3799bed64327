import type { RawRequest, RawResponse } from "./support.js";

/**
 * Defects the fuzzers found that are recorded in docs/security.md ("Findings") and not fixed yet.
 * A fuzz run tolerates a failure only when it is exactly one of these (the symptom on a request of
 * the class), counts it, and prints the count; anything else fails the run. Each has a pinned
 * reproduction in the fuzz file that found it, written as the correct behaviour and marked
 * `it.fails`: when a fix lands, that test turns red, and its entry here (and the `.fails`) must go.
 *
 * Empty: F-01, F-02, F-03, F-04, F-05 and F-08 are fixed, and their reproductions are now
 * regression tests ("fixed findings" in fuzz-ingest.test.ts and fuzz-admin.test.ts).
 */
export interface KnownBug {
  id: string;
  title: string;
  matches(request: RawRequest, response: RawResponse): boolean;
}

export const KNOWN_BUGS: readonly KnownBug[] = [];

/** The known bug a failed exchange is an instance of, if any. */
export function knownBug(request: RawRequest, response: RawResponse): KnownBug | undefined {
  return KNOWN_BUGS.find((bug) => bug.matches(request, response));
}

/** Text Postgres can store: no NUL (`text`), no unpaired UTF-16 surrogate (`jsonb`). */
export function storable(text: string): boolean {
  return text.isWellFormed() && !text.includes("\0");
}
