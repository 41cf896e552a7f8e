// Stage definitions of the 'classify' family; registered in stages/registry.ts.
import type { StageDefinition } from '../../pipeline/types.ts';
import { classifyStage } from './classify.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const stages: StageDefinition<any>[] = [classifyStage];
