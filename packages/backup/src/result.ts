/** An expected failure is a value: the caller decides what it means (exit code, metric, log). */
export type Result<T extends object = object> = ({ ok: true } & T) | { ok: false; error: string };

/** The failed branch of a {@link Result}. */
export const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

/** Reports a step of a long operation (`pg_dump: 12.0 MB`); the CLI prints it on stderr. */
export type Progress = (line: string) => void;

export const silent: Progress = () => undefined;

/** The message of anything thrown, for a failure value or a log line. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
