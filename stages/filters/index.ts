// Stage definitions of the 'filters' family; registered in stages/registry.ts.
// (The expression filter `filter` is registered by stages/io.)
import type { StageDefinition } from '../../pipeline/types.ts';
import { nemoHeuristicsStage, zyda1FiltersStage } from './presets.ts';
import { datatroveFilterStages } from './stages.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const stages: StageDefinition<any>[] = [...datatroveFilterStages, zyda1FiltersStage, nemoHeuristicsStage];
