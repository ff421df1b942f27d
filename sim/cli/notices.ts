import type { SpeedPath } from '../backend/speed-path.ts';

/**
 * The backend loader's notices ("backend tensorflow skipped: Cannot find package ...") matter
 * only when something is wrong: they are printed with --verbose, or when the slow training
 * path was taken (they then say why), and dropped otherwise.
 */
export function backendNotices(verbose: boolean): {
  log: (line: string) => void;
  /** Prints what was held back if the path is slow; prints the fast-path hint either way. */
  done: (speed: SpeedPath) => void;
} {
  const held: string[] = [];
  const print = (line: string): void => void process.stderr.write(`[permanence] ${line}\n`);
  return {
    log: (line) => (verbose ? print(line) : held.push(line)),
    done: (speed) => {
      if (speed.path === 'slow') for (const line of held.splice(0)) print(line);
      if (speed.hint) process.stderr.write(`${speed.hint}\n`);
    },
  };
}
