/**
 * Runs `pass` every `intervalMs` (and once at start), never twice at a time: a call
 * while one runs shares it. `stop()` waits for the running pass. The timer does not
 * keep the process alive.
 */
export class PeriodicPass {
  private readonly intervalMs: number;
  private readonly pass: () => Promise<void>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(intervalMs: number, pass: () => Promise<void>) {
    this.intervalMs = intervalMs;
    this.pass = pass;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.run(), this.intervalMs);
    this.timer.unref();
    void this.run();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass now; concurrent calls share it. */
  run(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }
}
