import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import type { BackendName } from '../../backend/loader.ts';
import { DEFAULT_QUEUE_NAME } from '../../sweep/queue-defaults.ts';
import { positiveInteger } from '../usage.ts';

interface WorkerFlags {
  queue: string;
  queueName: string;
  root?: string;
  concurrency: string;
  backend?: BackendName;
  lockMs: string;
  stalledMs?: string;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'Pull sweep jobs from a BullMQ queue, run them and write results to the shared sweep folder.',
    )
    .requiredOption('--queue <url>', 'Redis URL of the queue, e.g. redis://redis:6379')
    .option('--queue-name <name>', 'BullMQ queue name', DEFAULT_QUEUE_NAME)
    .option('--root <dir>', 'resolves relative sweep folders (default: the current directory)')
    .option('-c, --concurrency <n>', 'jobs at once in this process, one thread each', '1')
    .option('--backend <name>', 'tensorflow-gpu | tensorflow | wasm | cpu (default: fastest available)')
    .option(
      '--lock-ms <ms>',
      'job lock; a job whose worker stops renewing it for this long is retried elsewhere',
      '30000',
    )
    .option('--stalled-ms <ms>', 'how often to look for stalled jobs (default: --lock-ms)')
    .addHelpText(
      'after',
      `
Start any number of workers on machines that share the sweep folder; they may join and leave
mid-sweep. SIGINT/SIGTERM finishes the running job(s) and exits; a second signal exits now
(the job is then retried by another worker once its lock expires).`,
    )
    .action(async (flags: WorkerFlags) => {
      const concurrency = positive(flags.concurrency, 'concurrency');
      const lockMs = positive(flags.lockMs, 'lock-ms');
      const stalledMs = flags.stalledMs ? positive(flags.stalledMs, 'stalled-ms') : undefined;
      const { shareCores } = await import('../../sweep/local-pool.ts');
      const { loadBackend } = await import('../../backend/loader.ts');
      const { redisConnection, startSweepWorker } = await import('../../sweep/queue.ts');
      shareCores(concurrency, availableParallelism());
      const backend = await loadBackend({ backend: flags.backend, log: () => undefined });
      const connection = redisConnection(flags.queue);
      const log = (line: string): void => console.log(`${new Date().toISOString()} ${line}`);
      const worker = startSweepWorker({
        connection,
        queueName: flags.queueName,
        root: flags.root,
        backend: backend.name,
        concurrency,
        lockMs,
        stalledMs,
        log,
      });
      worker.on('error', (error) => log(`worker error: ${error.message}`));
      await worker.waitUntilReady();
      log(`worker ${worker.name} on ${flags.queueName}, backend ${backend.name}, pid ${process.pid}`);
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (): void => {
          if (stopping) process.exit(130);
          stopping = true;
          log('leaving: finishing running jobs (signal again to exit now)');
          void worker.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      connection.disconnect();
    });
}

const positive = positiveInteger;
