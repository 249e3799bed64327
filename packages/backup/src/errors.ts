/** A backup, verification or restore step failed for a reason the operator must act on. */
export class BackupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BackupError";
  }
}

/**
 * A path read from a manifest would name a file outside its backup directory (or is not a
 * plain relative path): the manifest was tampered with or copied in from elsewhere (F-11).
 */
export class BackupPathError extends BackupError {
  constructor(
    /** The path as the manifest gave it. */
    readonly path: string,
    /** Why it is refused. */
    readonly reason: string,
  ) {
    super(`the manifest path ${JSON.stringify(path)} is refused: ${reason}`);
    this.name = "BackupPathError";
  }
}
