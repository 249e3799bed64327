/**
 * @hookrail/contracts — the shapes that cross process boundaries, in one place: NATS subjects,
 * stream and consumer names, message schemas, event types, header names and provider names.
 */

export * from "./events.js";
export * from "./headers.js";
export * from "./ids.js";
export * from "./lifecycle-events.js";
export * from "./messages.js";
export * from "./providers.js";
export * from "./topology.js";
export * from "./webhook-message.js";
