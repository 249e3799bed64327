/** What an API key may do. The bootstrap ADMIN_API_KEY holds every scope. */
export const SCOPES = [
  "sources:read",
  "sources:write",
  "subscriptions:read",
  "subscriptions:write",
  "events:read",
  "events:replay",
  "api-keys:write",
] as const;
export type Scope = (typeof SCOPES)[number];
