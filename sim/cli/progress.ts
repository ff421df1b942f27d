import { SingleBar, Presets } from 'cli-progress';
import type { ExperimentEvent } from '../experiment/runner.ts';

/**
 * A progress bar over all optimiser steps of an experiment, with ETA; on a non-TTY
 * (CI, logs) it prints one line per evaluated model instead.
 */
export function experimentProgress(totalStepsEstimate: number): {
  onEvent: (event: ExperimentEvent) => void;
  stop: () => void;
} {
  const tty = process.stderr.isTTY;
  const bar = new SingleBar(
    {
      format: ' {bar} {percentage}% | ETA {eta_formatted} | seed {seed} F{model} | loss {loss}',
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 200,
    },
    Presets.shades_classic,
  );
  if (tty) bar.start(totalStepsEstimate, 0, { seed: '-', model: 0, loss: '-' });
  const lastStep = new Map<string, number>();
  let done = 0;
  return {
    onEvent: (event) => {
      if (event.type === 'train:progress') {
        const key = `${event.seed}:${event.index}`;
        done += event.progress.step - (lastStep.get(key) ?? 0);
        lastStep.set(key, event.progress.step);
        if (tty)
          bar.update(done, { seed: event.seed, model: event.index, loss: event.progress.loss.toFixed(3) });
      } else if (event.type === 'model:evaluated' && !tty) {
        const r = event.record;
        const asr = r.asr === null ? '' : ` asr=${r.asr.toFixed(3)}`;
        console.error(
          `seed ${event.seed} F${r.index}: acc=${r.cleanAccuracy.toFixed(4)}${asr} (${r.train.seconds.toFixed(1)} s)`,
        );
      }
    },
    stop: () => {
      if (tty) bar.stop();
    },
  };
}
