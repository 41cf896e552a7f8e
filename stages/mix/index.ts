// Stage definitions of the 'mix' family (token-weighted mixing, shuffling); registered in stages/registry.ts.
import type { StageDefinition } from '../../pipeline/types.ts';
import { mixStage } from './mix.ts';
import { shuffleStage } from './shuffle.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const stages: StageDefinition<any>[] = [mixStage, shuffleStage];
