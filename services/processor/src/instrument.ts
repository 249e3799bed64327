// Preloaded with `node --import ./dist/instrument.js`, before any of the service's modules, so
// that OpenTelemetry instruments http, express and pg as they load.
import { startTelemetry } from "@hookrail/observability/telemetry";

await startTelemetry({ service: "processor" });
