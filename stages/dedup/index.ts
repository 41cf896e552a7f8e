// Stage definitions of the 'dedup' family; registered in stages/registry.ts.
import type { StageDefinition } from '../../pipeline/types.ts';
import { exactDedup, minhashDedup, urlDedup } from './stages.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const stages: StageDefinition<any>[] = [minhashDedup, exactDedup, urlDedup];
