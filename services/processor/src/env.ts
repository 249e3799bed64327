import { commonEnv, loadConfig, port } from "@hookrail/config";
import { z } from "zod";

/** The processor's environment: parsed once at start; nothing else reads process.env. */
export const ProcessorEnv = z.object({
  ...commonEnv,
  /** The ops port: /metrics, /healthz, /readyz. */
  METRICS_PORT: port().default(9465),
  /** Webhooks taken per fetch and stored in one transaction. */
  PROCESSOR_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(200),
  /** Deliveries of one message before it becomes a dead letter. */
  PROCESSOR_MAX_DELIVERIES: z.coerce.number().int().min(1).max(100).default(5),
});
export type ProcessorConfig = z.output<typeof ProcessorEnv>;

export const loadProcessorConfig = () => loadConfig(ProcessorEnv, "processor");
