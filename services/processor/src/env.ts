import { commonEnv, loadConfig, port } from "@hookrail/config";
import { z } from "zod";

/** The processor's environment: parsed once at start; nothing else reads process.env. */
export const ProcessorEnv = z.object({
  ...commonEnv,
  METRICS_PORT: port().default(9465).describe("The ops port: /metrics, /healthz, /readyz."),
  PROCESSOR_BATCH_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(200)
    .describe("Webhooks taken per fetch and stored in one transaction."),
  PROCESSOR_MAX_DELIVERIES: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(5)
    .describe("Deliveries of one message before it becomes a dead letter."),
});
export type ProcessorConfig = z.output<typeof ProcessorEnv>;

export const loadProcessorConfig = () => loadConfig(ProcessorEnv, "processor");
