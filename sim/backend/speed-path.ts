import type { BackendInfo } from './loader.ts';

/** The command that brings the fast path on Debian/Ubuntu (docs/backend.md). */
export const FAST_PATH_COMMAND = 'apt-get install -y libdnnl-dev && npm run build:native';

export interface SpeedPath {
  /** fast: native TensorFlow, or wasm with the oneDNN addon; slow: anything else. */
  readonly path: 'fast' | 'slow';
  /** One line for logs and banners, e.g. "wasm + oneDNN native kernels (fast path)". */
  readonly summary: string;
  /** On the slow path, how to get the fast one. */
  readonly hint?: string;
}

/** Which training path a loaded backend gives, in words a newcomer can act on. */
export function speedPath(info: Pick<BackendInfo, 'name' | 'native'>): SpeedPath {
  if (info.name === 'tensorflow' || info.name === 'tensorflow-gpu') {
    return { path: 'fast', summary: `${info.name} (native TensorFlow, fast path)` };
  }
  if (info.name === 'wasm' && info.native.loaded) {
    return { path: 'fast', summary: `wasm + oneDNN native kernels (fast path; ${info.native.detail})` };
  }
  return {
    path: 'slow',
    summary: `${info.name} without the native kernels (slow path: ${info.native.detail})`,
    hint: `for the fast path (about 4x faster training): ${FAST_PATH_COMMAND}`,
  };
}
