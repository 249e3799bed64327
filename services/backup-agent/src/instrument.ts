// Preloaded with `node --import ./dist/instrument.js`, before any of the service's modules, so
// that OpenTelemetry instruments pg as it loads and serves the backup metrics on the ops port.
import { startTelemetry } from "@hookrail/observability/telemetry";

await startTelemetry({ service: "backup-agent" });
