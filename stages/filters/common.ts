// Shared plumbing of the named filter stages: drop|annotate mode, the tokenizer switch, annotation columns,
// and reading word lists given as local paths or s3:// URIs.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ColumnSpec, Doc, Stage, StageContext } from '../../pipeline/types.ts';
import type { FilterResult } from './datatrove.ts';

export const modeParam = z
  .enum(['drop', 'annotate'])
  .default('drop')
  .describe('drop: remove failing documents (counted per reason in the stats); annotate: keep every document and write `<stage>_keep` / `<stage>_reason` columns');

export const tokenizerParam = z
  .enum(['spacy', 'simple'])
  .default('spacy')
  .describe("Word/sentence splitter: `spacy` = port of spaCy's English tokenizer + sentencizer (what datatrove uses; identical decisions), `simple` = fast approximate splitter");

export function annotationColumns(stage: string, mode: 'drop' | 'annotate'): ColumnSpec[] {
  if (mode !== 'annotate') return [];
  return [
    { name: `${stage}_keep`, type: 'bool', nullable: false, description: `${stage}: true if the document passes` },
    { name: `${stage}_reason`, type: 'string', nullable: true, description: `${stage}: drop reason (null when kept)` },
  ];
}

/** Reads a text file given in a stage parameter (relative to the manifest folder, or s3://). */
export async function readParamFile(ctx: StageContext, path: string): Promise<string> {
  const uri = ctx.storage.resolve(ctx.baseDir, path);
  let local: string;
  try {
    local = await ctx.storage.localPath(uri);
  } catch (e) {
    throw new Error(`cannot read ${uri}: ${(e as Error).message}`);
  }
  return readFile(local, 'utf8');
}

export interface FilterImpl {
  setup?(ctx: StageContext): Promise<void>;
  /** Decides one document; may rewrite `doc.text` of a kept document (C4 quality). */
  check(doc: Doc, ctx: StageContext): FilterResult;
}

/** A filter stage over `impl`: drops with the reason, or annotates `<name>_keep` / `<name>_reason`. */
export function filterStage(name: string, mode: 'drop' | 'annotate', impl: FilterImpl): Stage {
  return {
    name,
    async setup(ctx) {
      await impl.setup?.(ctx);
    },
    async *run(batches, ctx) {
      for await (const b of batches) {
        if (mode === 'annotate') {
          for (const d of b.docs) {
            const r = impl.check(d, ctx);
            d.cols[`${name}_keep`] = r.keep;
            d.cols[`${name}_reason`] = r.reason;
          }
          yield b;
          continue;
        }
        const kept: Doc[] = [];
        for (const d of b.docs) {
          const r = impl.check(d, ctx);
          if (r.keep) kept.push(d);
          else ctx.stats.drop(r.reason ?? name, d);
        }
        if (kept.length) yield { docs: kept };
      }
    },
  };
}

/** A small seeded generator (splitmix32) for keep_fraction draws. */
export function seededUniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 0x100000000;
  };
}
