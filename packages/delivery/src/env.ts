import { csvList } from "@hookrail/config";
import { parseCidrs } from "./cidr.js";

/**
 * The `DELIVERY_ALLOWED_CIDRS` variable, for every service that checks subscription addresses:
 * a comma-separated list of CIDRs exempt from the SSRF guard (tests use 127.0.0.0/8).
 */
export const allowedCidrsEnv = () =>
  csvList()
    .default([])
    .superRefine((list, ctx) => {
      try {
        parseCidrs(list);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
      }
    });
