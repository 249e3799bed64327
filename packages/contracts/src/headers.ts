/** HTTP and NATS header names Hookrail reads or writes. */
export const HeaderName = {
  requestId: "X-Request-Id",
  traceparent: "traceparent",
  tracestate: "tracestate",
  baggage: "baggage",
  /** NATS: the type of message, so consumers can dispatch without parsing first. */
  messageType: "Hookrail-Message-Type",
  /** NATS: the service that published the message. */
  publisher: "Hookrail-Publisher",
} as const;

/** A request id we accept from a client: 1–128 chars of a conservative alphabet. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
