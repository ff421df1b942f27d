/** node-cron drives the cycles; noOverlap skips a tick while the previous cycle still runs. */
import cron, { type ScheduledTask } from 'node-cron';

export class CycleScheduler {
  private task: ScheduledTask | undefined;

  constructor(
    private readonly expression: string,
    private readonly tick: () => Promise<unknown>,
  ) {}

  start(): void {
    if (this.task) return;
    this.task = cron.schedule(this.expression, () => this.tick(), { name: 'permanence-cycle', noOverlap: true });
  }

  nextRun(): string | null {
    return this.task?.getNextRun()?.toISOString() ?? null;
  }

  async stop(): Promise<void> {
    const task = this.task;
    this.task = undefined;
    if (task) await task.destroy();
  }
}
