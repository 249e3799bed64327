/** @hookrail/rate-limit — per-key limits that hold across replicas, leased from a shared store. */

export { FailureThrottle } from "./failure-throttle.js";
export { type LeaseStore, MemoryLeaseStore, type RateDecision, RateLimiter } from "./limiter.js";
export { PostgresLeaseStore } from "./pg-store.js";
