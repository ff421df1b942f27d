/** The loop as the HTTP layer sees it: routes depend on this interface, not on LiveLoop. */
import type { Manifest, Pointer } from '../registry/model-store.ts';
import type { Campaign, CampaignInput } from './campaigns.ts';
import type { LoopState } from './loop-state.ts';

/** What the HTTP layer may ask of the loop. */
export interface LoopControl {
  readonly name: string;
  isReady(): boolean;
  state(): LoopState;
  currentStep(): number;
  listModels(): Promise<Manifest[]>;
  startCycle(): { accepted: boolean; reason?: string };
  startScan(): { accepted: boolean; reason?: string };
  /** `ref`: a version number, `v<N>`, an alias or `<name>@<alias>` (registry/aliases.ts). */
  rollback(ref: number | string): Promise<Pointer>;
  createCampaign(input: CampaignInput): Promise<Campaign>;
  stopCampaign(id: string): Promise<Campaign | undefined>;
  setSchedule(schedule: string): Promise<void>;
  setPaused(paused: boolean): Promise<void>;
}
