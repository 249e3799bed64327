import { afterEach } from "vitest";
import { tearDownCases } from "./harness.js";

// Each case's processes and directories go when the case ends, passed or failed.
afterEach(async () => {
  await tearDownCases();
});
