import { quote } from 'shell-quote';

/** Python's shlex.quote safe set: no POSIX shell gives these characters a meaning. */
const SAFE = /^[\w@%+=:,./-]+$/;

/**
 * The command that is running, as a line one can paste into a shell: sweep folders and
 * reports record it, and an argument with spaces (a --note) must come back as one argument.
 * shell-quote also escapes ',' and ':' (`svg\,png`), which a shell does not need, so plain
 * arguments are written as they are.
 */
export function commandLine(args: readonly string[] = process.argv.slice(2)): string {
  return ['permanence', ...args].map((arg) => (SAFE.test(arg) ? arg : quote([arg]))).join(' ');
}
