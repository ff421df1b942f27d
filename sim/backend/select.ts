export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Fastest first: native TensorFlow (GPU, then CPU), wasm with our kernels, pure JS. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface BackendCandidate {
  readonly name: BackendName;
  /** Loads and activates the backend; throws (with a reason) when it cannot. */
  readonly activate: () => Promise<void>;
}

export interface Selection {
  name: BackendName;
  skipped: { name: BackendName; reason: string }[];
}

export function parseBackendName(value: string, source: string): BackendName {
  if ((BACKEND_ORDER as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`${source}='${value}' is not a backend; expected one of ${BACKEND_ORDER.join(', ')}`);
}

/** First line of an error: import failures carry long stacks and require chains. */
export function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].trim() || 'failed without a message';
}

/**
 * Activates the first candidate that works, in the given order, and records why each one
 * before it was skipped. An explicitly requested backend is the only one tried: asking
 * for tensorflow-gpu and silently getting cpu would make results incomparable.
 */
export async function selectBackend(
  candidates: readonly BackendCandidate[],
  requested: BackendName | undefined,
  log: (msg: string) => void,
): Promise<Selection> {
  const skipped: Selection['skipped'] = [];
  const tried = requested ? candidates.filter((c) => c.name === requested) : candidates;
  if (tried.length === 0) throw new Error(`backend '${requested}' is not available in this build`);
  for (const candidate of tried) {
    try {
      await candidate.activate();
    } catch (error) {
      const reason = reasonOf(error);
      if (requested) throw new Error(`requested backend '${requested}' failed to load: ${reason}`);
      skipped.push({ name: candidate.name, reason });
      log(`backend ${candidate.name} skipped: ${reason}`);
      continue;
    }
    log(`backend ${candidate.name} selected${requested ? ' (requested)' : ''}`);
    return { name: candidate.name, skipped };
  }
  throw new Error(`no backend could be loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}
