import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ROOT } from "./repo.js";

/** The variables of the repository's `.env`, as Compose reads them (no expansion inside). */
export function dotenv(path = join(ROOT, ".env")): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2].trim();
  }
  return out;
}

/**
 * Compose's interpolation: `$$` is a literal `$`; `${VAR}`, `${VAR:-default}`, `${VAR-default}`
 * and `$VAR` take the value from `vars`. An unset variable without a default is an error here
 * (Compose would warn and use ""), so every variable the file needs must be in `.env`.
 */
export function interpolate(text: string, vars: Record<string, string>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced?: string, op?: string, fallback?: string, bare?: string) => {
      if (whole === "$$") return "$";
      const name = (braced ?? bare) as string;
      const value = vars[name];
      if (op === ":-") return value ? value : (fallback ?? "");
      if (op === "-") return value ?? fallback ?? "";
      if (value === undefined) throw new Error(`compose.yaml uses \${${name}}, which .env lacks`);
      return value;
    },
  );
}

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { resources?: { limits?: { memory?: string } } };
}
export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  [key: string]: unknown;
}

/** compose.yaml as Compose sees it: interpolated with `.env`, merge keys resolved. */
export function loadCompose(): ComposeFile {
  const raw = readFileSync(join(ROOT, "compose.yaml"), "utf8");
  return parse(interpolate(raw, dotenv()), { merge: true }) as ComposeFile;
}

/** compose.yaml before interpolation, to see which variable each image comes from. */
export function rawCompose(): ComposeFile {
  return parse(readFileSync(join(ROOT, "compose.yaml"), "utf8"), { merge: true }) as ComposeFile;
}
