/** What an API key may do. The bootstrap ADMIN_API_KEY holds every scope. */
export const SCOPES = [
  "sources:read",
  "sources:write",
  "subscriptions:read",
  "subscriptions:write",
  "events:read",
  "events:replay",
  "dead-letters:read",
  "dead-letters:write",
  "api-keys:write",
] as const;
export type Scope = (typeof SCOPES)[number];
