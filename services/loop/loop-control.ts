/** The loop as the HTTP layer sees it: routes depend on this interface, not on LiveLoop. */
import type { Pointer, VersionPage } from '../registry/model-store.ts';
import type { Campaign, CampaignInput } from './campaigns.ts';
import type { LoopState } from './loop-state.ts';
import type { RegistryHealthView } from './registry-health.ts';

/** What the HTTP layer may ask of the loop. */
export interface LoopControl {
  readonly name: string;
  isReady(): boolean;
  state(): LoopState;
  /** The registry's health alone (cheap: for the probes). */
  registryHealth(): RegistryHealthView;
  currentStep(): number;
  /** Up to `limit` versions numbered below `before` (null: from the newest), newest first. */
  listModels(limit: number, before: number | null): Promise<VersionPage>;
  startCycle(): { accepted: boolean; reason?: string };
  startScan(): { accepted: boolean; reason?: string };
  /** `ref`: a version number, `v<N>`, an alias or `<name>@<alias>` (registry/aliases.ts). */
  rollback(ref: number | string): Promise<Pointer>;
  createCampaign(input: CampaignInput): Promise<Campaign>;
  stopCampaign(id: string): Promise<Campaign | undefined>;
  setSchedule(schedule: string): Promise<void>;
  setPaused(paused: boolean): Promise<void>;
}
