/** node-cron drives the cycles; noOverlap skips a tick while the previous cycle still runs. */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../log.ts';

export class CycleScheduler {
  private task: ScheduledTask | undefined;

  constructor(
    private readonly expression: string,
    private readonly tick: () => Promise<unknown>,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.task) return;
    this.task = cron.schedule(this.expression, () => this.tick(), {
      name: 'permanence-cycle',
      noOverlap: true,
      // A tick skipped because a cycle still runs is expected, not a warning.
      logger: {
        info: (message) => this.log.debug({ cron: true }, message),
        warn: (message) => this.log.debug({ cron: true }, message),
        error: (message, err) => this.log.error({ cron: true, err }, String(message)),
        debug: (message) => this.log.trace({ cron: true }, String(message)),
      },
    });
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
