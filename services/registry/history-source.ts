/**
 * The registry as replay's HistorySource (sim/replay/history.ts): the same reads for the
 * filesystem and S3 stores, each version's files checked against its manifest.
 */
import type { HistorySource, StoredVersion } from '../../sim/replay/history.ts';
import { EXPERIENCE_FILE, MODEL_FILE } from '../../sim/models/version-layout.ts';
import type { ModelStore } from './model-store.ts';

export function historySource(store: Pick<ModelStore, 'listVersions' | 'loadVersion'>): HistorySource {
  return {
    async versions(name) {
      return (await store.listVersions(name)).map((m) => m.version);
    },
    async version(name, version): Promise<StoredVersion> {
      const { manifest, files, metrics } = await store.loadVersion(name, version);
      const model = files[MODEL_FILE];
      if (!model) throw new Error(`${name} v${version} has no ${MODEL_FILE}`);
      return {
        version,
        step: manifest.step,
        parentVersion: manifest.parentVersion,
        status: manifest.status,
        experience: files[EXPERIENCE_FILE],
        metrics,
        model,
      };
    },
  };
}
