/**
 * Whether `permanence <args>` can run from the precompiled bundle (scripts/build-cli.mjs):
 * only a request for help or the version, which runs no action, and only while the bundle
 * is newer than every source file it was built from (and was built in this folder).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const HELP_FLAGS = new Set(['-h', '--help', '-V', '--version']);

/** True when the arguments ask for help or the version only (commander answers, no action runs). */
export function asksForHelp(args) {
  return args.length === 0 || args[0] === 'help' || args.some((a) => HELP_FLAGS.has(a));
}

/** The bundle's path if it exists and is fresh, else undefined. */
export function freshBundle(root) {
  try {
    const bundle = join(root, 'dist', 'cli.mjs');
    const built = statSync(bundle).mtimeMs;
    const meta = JSON.parse(readFileSync(join(root, 'dist', 'cli.json'), 'utf8'));
    if (meta.root !== root || !Array.isArray(meta.sources) || meta.sources.length === 0) return undefined;
    for (const source of [...meta.sources, 'package.json']) {
      if (statSync(join(root, source)).mtimeMs > built) return undefined;
    }
    return bundle;
  } catch {
    return undefined;
  }
}
