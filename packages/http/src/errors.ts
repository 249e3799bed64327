/**
 * Domain errors that a request can end in. Each names what went wrong in Hookrail's terms;
 * problem.ts is the one place that turns them into HTTP.
 */
export class HookrailError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class InvalidRequest extends HookrailError {
  constructor(
    message: string,
    readonly issues: ReadonlyArray<{ path: string; message: string }> = [],
  ) {
    super(message, "invalid-request");
  }
}
export class NotFound extends HookrailError {
  constructor(message: string) {
    super(message, "not-found");
  }
}
export class Unauthenticated extends HookrailError {
  constructor(message = "a valid API key is required (Authorization: Bearer <key>)") {
    super(message, "unauthenticated");
  }
}
/** The thing to create exists already (e.g. a source id chosen by the caller). */
export class Conflict extends HookrailError {
  constructor(message: string) {
    super(message, "conflict");
  }
}
export class Forbidden extends HookrailError {
  constructor(message: string) {
    super(message, "forbidden");
  }
}
export class InvalidSignature extends HookrailError {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message, "invalid-signature");
  }
}
export class BodyTooLarge extends HookrailError {
  constructor(readonly limitBytes: number) {
    super(`the body exceeds the limit of ${limitBytes} bytes`, "body-too-large");
  }
}
export class UnsupportedContentType extends HookrailError {
  constructor(got: string | undefined, expected: string) {
    super(
      `content type ${got ? JSON.stringify(got) : "(none)"} is not accepted; send ${expected}`,
      "unsupported-content-type",
    );
  }
}
/** A `Content-Encoding` the server cannot decode (415, RFC 9110 §15.5.16). */
export class UnsupportedContentEncoding extends HookrailError {
  constructor() {
    super("the body's Content-Encoding is not supported", "unsupported-content-encoding");
  }
}
/**
 * Any other request the HTTP layer refused with a 4xx before a handler ran (Express, body-parser):
 * the status is kept, the detail is generic.
 */
export class RefusedRequest extends HookrailError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message, "refused-request");
  }
}
export class RateLimited extends HookrailError {
  constructor(readonly retryAfterSeconds: number) {
    super("too many requests", "rate-limited");
  }
}
/** The broker did not confirm the message was stored; nothing was accepted. */
export class BrokerUnavailable extends HookrailError {
  constructor(
    readonly retryAfterSeconds: number,
    cause?: unknown,
  ) {
    super(
      "the message broker did not confirm storage; nothing was accepted, retry later",
      "broker-unavailable",
      { cause },
    );
  }
}
export class DatabaseUnavailable extends HookrailError {
  constructor(
    readonly retryAfterSeconds: number,
    cause?: unknown,
  ) {
    super("the event store is unavailable, retry later", "database-unavailable", { cause });
  }
}
