/**
 * A sweep that runs every `intervalMs` (and once at start), never twice at a time: a
 * call while one runs shares it. `stop()` waits for the running pass. The timer does
 * not keep the process alive. Subclasses write one `pass()`.
 */
export abstract class PeriodicSweep {
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  protected constructor(intervalMs: number) {
    this.intervalMs = intervalMs;
  }

  protected abstract pass(): Promise<void>;

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
    void this.sweep();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass now; concurrent calls share it. */
  sweep(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }
}
