/** One job at a time: a cycle, a scan and a rollback must not overlap (they share the served model). */
import { BusyError } from './errors.ts';

export class Exclusive {
  private running: Promise<unknown> | undefined;

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Runs `job` now, or throws BusyError while another job runs. */
  run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running) throw new BusyError('a cycle or scan is running');
    const run = job();
    this.running = run;
    const clear = () => {
      if (this.running === run) this.running = undefined;
    };
    run.then(clear, clear);
    return run;
  }

  /** Resolves when the running job (if any) settles; never rejects. */
  settled(): Promise<void> {
    return Promise.resolve(this.running).then(
      () => undefined,
      () => undefined,
    );
  }
}
