import { keysEnum } from '../registry-enum.ts';
import { neuralCleanse } from './neural-cleanse.ts';
import { tabor } from './tabor.ts';
import type { Defense, DefenseName } from './types.ts';

/** Every defense, by name (one file each). */
export const DEFENSES: Readonly<Record<DefenseName, Defense>> = { nc: neuralCleanse, tabor };
export const DEFENSE_NAMES = Object.keys(DEFENSES) as DefenseName[];
export const defenseNameSchema = keysEnum(DEFENSES);

export function getDefense(name: string): Defense {
  const defense = DEFENSES[name as DefenseName] as Defense | undefined;
  if (!defense) throw new Error(`unknown defense '${name}' (known: ${DEFENSE_NAMES.join(', ')})`);
  return defense;
}

/** 'nc', 'tabor', 'both' or a comma list ('nc,tabor'), without repeats. */
export function parseDefenseList(text: string): DefenseName[] {
  const names = text === 'both' ? DEFENSE_NAMES : text.split(',').map((s) => s.trim());
  return [...new Set(names.map((name) => getDefense(name).name))];
}
