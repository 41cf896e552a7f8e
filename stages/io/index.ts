// Built-in stages: expression filter and basic text counts; registered in stages/registry.ts.
import type { StageDefinition } from '../../pipeline/types.ts';
import { filterStage } from './filter.ts';
import { textStatsStage } from './text-stats.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const stages: StageDefinition<any>[] = [filterStage, textStatsStage];
