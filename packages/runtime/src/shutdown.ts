import { flushLogs, type Logger } from "@hookrail/observability";

export type StopHook = { name: string; stop: () => Promise<void> };

/**
 * Graceful stop, in phases registered by the service: first stop taking work (close listeners,
 * stop consumers, which finish their in-flight batch), then release connections (drain NATS,
 * close pools). The same signal again, or the deadline, forces exit.
 */
export class Shutdown {
  private readonly intake: StopHook[] = [];
  private readonly resources: StopHook[] = [];
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly deadlineMs = 25_000,
  ) {}

  /** Things that take in new work; stopped first, in reverse order of registration. */
  onStopIntake(hook: StopHook): void {
    this.intake.push(hook);
  }

  /** Connections and pools; released after all intake has stopped, in reverse order. */
  onRelease(hook: StopHook): void {
    this.resources.push(hook);
  }

  /**
   * Installs SIGTERM/SIGINT handlers that run the stop and exit. Only the same signal again forces
   * exit: Ctrl-C in a terminal sends SIGINT to the launcher and every service at once, and the
   * launcher then sends each SIGTERM, which must not turn a graceful stop into a forced one.
   */
  installSignalHandlers(): void {
    let first: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.stopping) {
        if (signal !== first) return;
        this.logger.warn({ signal }, "second signal: exiting now");
        process.exit(1);
      }
      first = signal;
      this.logger.info({ signal }, "stopping");
      // Logs are written asynchronously: the last lines ("stopped cleanly") go out before the exit.
      void this.stop().then(
        () => flushLogs().then(() => process.exit(0)),
        () => flushLogs().then(() => process.exit(1)),
      );
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  }

  stop(): Promise<void> {
    this.stopping ??= this.run();
    return this.stopping;
  }

  private async run(): Promise<void> {
    const deadline = setTimeout(() => {
      this.logger.error({ deadlineMs: this.deadlineMs }, "stop took too long: exiting");
      process.exit(1);
    }, this.deadlineMs);
    deadline.unref();
    for (const phase of [this.intake, this.resources]) {
      for (const hook of [...phase].reverse()) {
        try {
          await hook.stop();
          this.logger.debug({ hook: hook.name }, "stopped");
        } catch (error) {
          // Keep stopping the rest: one failed close must not leave connections open.
          this.logger.error({ err: error, hook: hook.name }, "stop hook failed");
        }
      }
    }
    clearTimeout(deadline);
    this.logger.info("stopped cleanly");
  }
}
