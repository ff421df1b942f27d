/**
 * Replay jobs of the live service (POST /admin/replay, docs/replay.md). A request is checked
 * at once against the registry (versions, range, experience records, policy): bad input is
 * refused before a job exists. Accepted jobs run one at a time, each in a worker thread at a
 * low priority (sim/replay/replay-thread.ts), so cycles and /predict keep their latency.
 * The jobs kept are bounded; the oldest finished one is dropped first.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ReplayProgress, ReplayResult } from '../../sim/replay/engine.ts';
import { loadHistory, type HistorySource, type ReplayHistory } from '../../sim/replay/history.ts';
import { describePolicy, parseReplayPolicy } from '../../sim/replay/policy.ts';
import { EVENTS } from '../contract.ts';
import type { TypedBus } from '../events.ts';
import type { ReplayEventMap } from './replay-events.ts';

export const replayRequestSchema = z
  .object({
    from: z.number().int().positive().max(1e9),
    to: z.number().int().positive().max(1e9).optional(),
    policy: z
      .string()
      .max(128)
      .transform((p, ctx) => {
        try {
          return describePolicy(parseReplayPolicy(p));
        } catch (err) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message });
          return z.NEVER;
        }
      }),
    campaign: z
      .string()
      .regex(/^c[0-9a-f]{8}$/, 'not a campaign id')
      .optional(),
  })
  .strict();
export type ReplayRequest = z.infer<typeof replayRequestSchema>;

export type ReplayJobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface ReplayJobView {
  id: string;
  status: ReplayJobStatus;
  model: string;
  request: ReplayRequest;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  progress: { done: number; total: number } | null;
  /** Per-version rows so far (the dashboard draws them as they come). */
  rows: ReplayProgress['row'][];
  result: ReplayResult | null;
  error: string | null;
}

export type ReplayRunner = (
  history: ReplayHistory,
  policy: string,
  options: { campaign?: string; onProgress: (p: ReplayProgress) => void; signal: AbortSignal },
) => Promise<ReplayResult>;

export interface ReplayJobsDeps {
  name: string;
  source: HistorySource;
  run: ReplayRunner;
  events: Pick<TypedBus<ReplayEventMap>, 'publish'>;
  /** Jobs kept (queued, running and finished). */
  limit?: number;
}

/** What the HTTP layer may ask of the replay jobs. */
export interface ReplayControl {
  submit(request: ReplayRequest): Promise<ReplayJobView>;
  get(id: string): ReplayJobView | undefined;
}

/** Every kept job is still queued or running: the request is refused (409). */
export class ReplayQueueFullError extends Error {}

export class ReplayJobs implements ReplayControl {
  private readonly jobs = new Map<string, ReplayJobView>();
  private readonly histories = new Map<string, ReplayHistory>();
  private chain: Promise<void> = Promise.resolve();
  private readonly stopping = new AbortController();

  constructor(private readonly d: ReplayJobsDeps) {}

  /** Checks the request against the registry (ReplayInputError if bad) and queues the job. */
  async submit(request: ReplayRequest): Promise<ReplayJobView> {
    const history = await loadHistory(this.d.source, this.d.name, { from: request.from, to: request.to });
    this.evict();
    if (this.jobs.size >= (this.d.limit ?? 20))
      throw new ReplayQueueFullError(`${this.jobs.size} replay jobs are queued or running`);
    const job: ReplayJobView = {
      id: `r${randomBytes(4).toString('hex')}`,
      status: 'queued',
      model: this.d.name,
      request,
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      progress: { done: 0, total: history.versions.length },
      rows: [],
      result: null,
      error: null,
    };
    this.jobs.set(job.id, job);
    this.histories.set(job.id, history);
    this.d.events.publish(EVENTS.replayQueued, this.view(job));
    this.chain = this.chain.then(() => this.run(job));
    return this.view(job);
  }

  get(id: string): ReplayJobView | undefined {
    const job = this.jobs.get(id);
    return job && this.view(job);
  }

  /**
   * Versions a queued or running job will read, and those a kept result refers to: the
   * registry's retention must not remove them (services/registry/retention.ts).
   */
  referencedVersions(): number[] {
    const versions = new Set<number>();
    for (const history of this.histories.values()) for (const v of history.versions) versions.add(v.version);
    for (const job of this.jobs.values()) for (const row of job.rows) versions.add(row.version);
    return [...versions];
  }

  /** Resolves when every queued job has finished (tests, shutdown). */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Ends the running job's thread and fails the queued ones (service shutdown). */
  stop(): Promise<void> {
    this.stopping.abort(new Error('the service stopped'));
    return this.chain;
  }

  private async run(job: ReplayJobView): Promise<void> {
    const history = this.histories.get(job.id);
    this.histories.delete(job.id);
    if (!history) return;
    job.status = 'running';
    job.startedAt = new Date().toISOString();
    const started = performance.now();
    try {
      this.stopping.signal.throwIfAborted();
      const result = await this.d.run(history, job.request.policy, {
        signal: this.stopping.signal,
        campaign: job.request.campaign,
        onProgress: (p) => {
          job.progress = { done: p.done, total: p.total };
          job.rows.push(p.row);
          this.d.events.publish(EVENTS.replayProgress, this.view(job));
        },
      });
      job.status = 'succeeded';
      job.result = result;
      job.rows = [...result.rows];
      job.finishedAt = new Date().toISOString();
      const seconds = (performance.now() - started) / 1000;
      this.d.events.publish(EVENTS.replayFinished, { ...this.view(job), outcome: 'succeeded', seconds });
    } catch (err) {
      job.status = 'failed';
      job.error = (err as Error).message;
      job.finishedAt = new Date().toISOString();
      const seconds = (performance.now() - started) / 1000;
      this.d.events.publish(EVENTS.replayFailed, { ...this.view(job), outcome: 'failed', seconds });
    }
  }

  private evict(): void {
    const limit = this.d.limit ?? 20;
    while (this.jobs.size >= limit) {
      const done = [...this.jobs.values()].find((j) => j.status === 'succeeded' || j.status === 'failed');
      if (!done) break;
      this.jobs.delete(done.id);
    }
  }

  private view(job: ReplayJobView): ReplayJobView {
    return { ...job, rows: [...job.rows], progress: job.progress && { ...job.progress } };
  }
}
