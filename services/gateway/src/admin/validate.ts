import { InvalidRequest } from "@hookrail/http";
import type { z } from "zod";

/** Parses request input with a schema; failures become a 400 listing every bad field. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where: string,
): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({
    path: i.path.join(".") || where,
    message: i.message,
  }));
  throw new InvalidRequest(
    `invalid ${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    issues,
  );
}
