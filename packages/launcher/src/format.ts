const LEVELS: Record<string, string> = {
  trace: "TRACE",
  debug: "DEBUG",
  info: "INFO ",
  warn: "WARN ",
  error: "ERROR",
  fatal: "FATAL",
};
const SKIP = new Set(["level", "time", "msg", "service", "pid", "hostname"]);

/**
 * Turns one pino JSON line into `HH:MM:SS LEVEL message key=value …` for people at a terminal.
 * Lines that are not JSON pass through unchanged.
 */
export function formatLogLine(line: string): string {
  if (!line.startsWith("{")) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof entry.time === "string" ? entry.time.slice(11, 19) : "";
  const level = LEVELS[String(entry.level)] ?? String(entry.level ?? "");
  const fields = Object.entries(entry)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  return [time, level, entry.msg ?? "", ...fields].join(" ").trim();
}
