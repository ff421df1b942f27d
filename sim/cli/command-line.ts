import { quote } from 'shell-quote';

/**
 * The command that is running, as a line one can paste into a shell: sweep folders and
 * reports record it, and an argument with spaces (a --note) must come back as one argument.
 */
export function commandLine(args: readonly string[] = process.argv.slice(2)): string {
  return quote(['permanence', ...args]);
}
