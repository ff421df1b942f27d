import { spawnSync } from 'node:child_process';

/**
 * Runs a poppler-utils tool (pdfinfo, pdftotext, pdffonts, pdftoppm) and returns its stdout.
 * Throws, so the test fails rather than skips, when the tool is missing: the pretest
 * (scripts/install-system-deps.sh) installs it.
 */
export function poppler(tool: string, args: readonly string[]): Buffer {
  const r = spawnSync(tool, args, { maxBuffer: 64 * 1024 * 1024 });
  if (r.error)
    throw new Error(`${tool}: ${r.error.message} (poppler-utils: run scripts/install-system-deps.sh)`);
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return r.stdout;
}
