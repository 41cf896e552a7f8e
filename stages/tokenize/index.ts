// Stage definitions of the 'tokenize' family; registered in stages/registry.ts.
import type { StageDefinition } from '../../pipeline/types.ts';
import { tokenizeStage } from './tokenize.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const stages: StageDefinition<any>[] = [tokenizeStage];
