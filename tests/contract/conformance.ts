import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import type { ApiResponse } from "../support/api.js";

export type OpenApi = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};
export interface Operation {
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: unknown;
  responses: Record<
    string,
    { headers?: Record<string, unknown>; content?: Record<string, { schema: unknown }> }
  >;
}

export const METHODS = ["get", "put", "post", "delete", "patch"];

/** Every operation of the document as `METHOD /path/{param}`. */
export const operations = (doc: OpenApi) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );

const pointer = (...parts: string[]) =>
  parts.map((p) => encodeURIComponent(p.replaceAll("~", "~0").replaceAll("/", "~1"))).join("/");

/**
 * Checks real answers against the document: the status must be one the operation documents, the
 * content type its media type, X-Request-Id present, and the body valid against the schema.
 * Formats (uuid, date-time) are not checked: ajv-formats is not a dependency.
 */
export function conformance(doc: OpenApi) {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema(doc, "openapi");
  const compiled = new Map<string, ValidateFunction>();
  const validator = (ref: string) => {
    const v = compiled.get(ref) ?? ajv.compile({ $ref: ref });
    compiled.set(ref, v);
    return v;
  };
  /** What is wrong with this answer to `method path` (the document's path template); [] if nothing. */
  return (method: string, path: string, res: ApiResponse<unknown>): string[] => {
    const where = `${method} ${path} → ${res.status}`;
    const op = doc.paths[path]?.[method.toLowerCase()];
    if (!op) return [`${where}: not in the document`];
    const response = op.responses[String(res.status)];
    if (!response) return [`${where}: status not documented (${res.text.slice(0, 160)})`];
    const problems: string[] = [];
    if (!res.headers.get("x-request-id")) problems.push(`${where}: no X-Request-Id`);
    for (const name of Object.keys(response.headers ?? {}))
      if (name === "Retry-After" && !res.headers.get(name))
        problems.push(`${where}: documented header ${name} missing`);
    const media = Object.keys(response.content ?? {});
    if (media.length === 0) return problems;
    const type = (res.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
    if (!media.includes(type)) return [...problems, `${where}: content type ${type}, not ${media}`];
    const validate = validator(
      `openapi#/${pointer("paths", path, method.toLowerCase(), "responses", String(res.status), "content", type, "schema")}`,
    );
    if (!validate(res.body))
      problems.push(`${where}: body does not match: ${ajv.errorsText(validate.errors)}`);
    return problems;
  };
}
