// Stage definitions of the 'signals' family; registered in stages/registry.ts.
import type { StageDefinition } from '../../pipeline/types.ts';
import { rpv2SignalsStage } from './rpv2-stage.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const stages: StageDefinition<any>[] = [rpv2SignalsStage];
