// Stage definitions of the 'classify' family; registered in stages/registry.ts.
import type { StageDefinition } from '../../pipeline/types.ts';

export const stages: StageDefinition<any>[] = [];
