/**
 * The line `npm start` prints once its server listens. Whatever starts the service with
 * PORT=0 (the OS picks a free port) reads the URL back from it, so no port has to be
 * chosen in advance and left free, for anyone to take, until the service binds it.
 */
const PREFIX = 'Permanence live service on ';

export function listeningLine(url: string): string {
  return `${PREFIX}${url}`;
}

/** The URL of the first listening line in a process's output, if it printed one yet. */
export function listeningUrl(output: string): string | undefined {
  for (const line of output.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith(PREFIX)) {
      const url = trimmed.slice(PREFIX.length);
      if (/^https?:\/\/[^\s/]+$/.test(url)) return url;
    }
  }
  return undefined;
}
