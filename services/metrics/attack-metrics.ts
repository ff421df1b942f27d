/**
 * Ground truth only the simulator knows (the attacker's triggers): prefixed permanence_truth_.
 * Label values are bounded by MAX_CAMPAIGNS (old campaigns are forgotten) and the attack kinds.
 */
import { Gauge, type Registry } from 'prom-client';
import { METRICS } from '../contract.ts';

export function registerAttackMetrics(registry: Registry) {
  const labelNames = ['campaign', 'attack'] as const;
  const attackSuccess = new Gauge({
    name: METRICS.attackSuccess,
    help: 'Attack success rate of each known trigger on the promoted model (ground truth).',
    labelNames,
    registers: [registry],
  });
  const survivability = new Gauge({
    name: METRICS.survivability,
    help: 'Gamma-survivability so far: updates since the last poisoned one with ASR above gamma (ground truth).',
    labelNames,
    registers: [registry],
  });
  const poisonActive = new Gauge({
    name: METRICS.poisonActive,
    help: '1 while a campaign still injects poison into updates (ground truth).',
    labelNames,
    registers: [registry],
  });
  return {
    attackSuccess,
    survivability,
    poisonActive,
    /** Drops every series of a campaign that is no longer tracked. */
    forget(campaign: string, attack: string): void {
      for (const g of [attackSuccess, survivability, poisonActive]) g.remove({ campaign, attack });
    },
  };
}
