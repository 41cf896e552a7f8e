// Shared fixture loading for the classify tests (reads ../shared; nothing from it is committed).
import { fileURLToPath } from 'node:url';

export const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));
export const MODELS = `${SHARED}fixtures/models/`;

import { readJsonl as readJsonlGz } from '../helpers.ts';

export { readJsonlGz };

export interface RefDoc {
  id: string;
  text: string;
  source: string;
}
export interface RefOut {
  id: string;
  [model: string]: unknown;
}
export interface RefModelOut {
  input_ids: number[];
  logits: number[];
}

export function loadReference(): { docs: RefDoc[]; outs: RefOut[] } {
  return { docs: readJsonlGz<RefDoc>(`${MODELS}reference_docs.jsonl.gz`), outs: readJsonlGz<RefOut>(`${MODELS}reference_outputs.jsonl.gz`) };
}
