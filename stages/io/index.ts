// Stage definitions of the 'io' family (built-in filter expressions, column selection); registered in stages/registry.ts.
import type { StageDefinition } from '../../pipeline/types.ts';

export const stages: StageDefinition<any>[] = [];
