// The planner: a manifest's stage chain becomes a DAG of steps. Map steps run the chain over input shard groups
// (tasks); a stage with a global part (dedup clustering, mix planning) ends its map step, runs once over every
// task's side output, and its `apply` stage opens the next map step. Steps are a straight line, so the DAG is a
// chain of dependencies: step k depends on step k-1.
import { createHash } from 'node:crypto';
import type { LoadedManifest } from './manifest.ts';
import type { InputFile } from './sources.ts';
import type { ColumnSpec } from './types.ts';

export interface MapStep {
  kind: 'map';
  id: string;
  /** Stage ids (from the manifest chain) in order; `apply:<id>` is the apply part of a global stage. */
  stages: string[];
  /** `sources`, or the id of the map step whose intermediate output this step reads. */
  input: string;
  final: boolean;
  /** Columns of the step's output files (besides the built-in ones). */
  columns: ColumnSpec[];
}

export interface GlobalStep {
  kind: 'global';
  id: string;
  stage: string;
  /** The map step whose side output this step reads. */
  after: string;
}

export type Step = MapStep | GlobalStep;

export interface Plan {
  version: 1;
  name: string;
  manifestFile: string;
  baseDir: string;
  manifestHash: string;
  inputsHash: string;
  tasks: number;
  inputs: InputFile[];
  /** For each task, indexes into `inputs`. */
  taskFiles: number[][];
  steps: Step[];
  curateVersion: string;
}

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Settings that change neither the result nor the work split are left out of the hash. */
export function manifestHash(lm: LoadedManifest): string {
  const m = structuredClone(lm.manifest) as Record<string, unknown> & { executor: Record<string, unknown>; output: Record<string, unknown> };
  delete m.executor.workers;
  delete m.executor.type;
  for (const k of ['partition', 'cpus_per_task', 'mem', 'time', 'max_array_size', 'sbatch_args', 'env']) delete m.executor[k];
  delete m.output.uri;
  delete m.description;
  delete m.storage;
  // Where the inputs live (local folder, s3:// copy) is not part of the recipe: the same recipe over a copy of the
  // inputs writes byte-identical outputs (their metadata embeds this hash). The locations are in inputsHash.
  m.sources = (m.sources as Record<string, unknown>[]).map(({ uri: _uri, ...rest }) => rest);
  return sha(JSON.stringify(m));
}

export function inputsHash(inputs: InputFile[]): string {
  return sha(JSON.stringify(inputs.map((f) => [f.source, f.rel, f.size, f.format, f.uri])));
}

export function planRun(lm: LoadedManifest, inputs: InputFile[], curateVersion: string): Plan {
  const cfg = lm.manifest.executor.tasks;
  const tasks = Math.max(1, cfg === 'auto' ? Math.min(inputs.length, 10_000) : cfg);
  // files[rank::world], as datatrove assigns them: deterministic and balanced in count
  const taskFiles: number[][] = Array.from({ length: tasks }, () => []);
  inputs.forEach((_, i) => taskFiles[i % tasks].push(i));

  const steps: Step[] = [];
  let current: string[] = [];
  let input = 'sources';
  const columns: ColumnSpec[] = [];
  const addColumns = (cs: ColumnSpec[]): void => {
    for (const c of cs) {
      const i = columns.findIndex((x) => x.name === c.name);
      if (i >= 0) columns[i] = c; else columns.push(c);
    }
  };
  let n = 1;
  const id = (kind: string): string => `${String(n++).padStart(2, '0')}-${kind}`;
  for (const s of lm.stages) {
    current.push(s.id);
    addColumns(s.def.writes(s.params, { baseDir: lm.baseDir }));
    if (s.def.global) {
      const mapId = id('map');
      steps.push({ kind: 'map', id: mapId, stages: current, input, final: false, columns: [...columns] });
      const gid = id(`global-${s.name}`);
      steps.push({ kind: 'global', id: gid, stage: s.id, after: mapId });
      current = [`apply:${s.id}`];
      addColumns(s.def.global.writes?.(s.params) ?? []);
      input = mapId;
    }
  }
  steps.push({ kind: 'map', id: id('map'), stages: current, input, final: true, columns: [...columns] });
  return {
    version: 1,
    name: lm.manifest.name,
    manifestFile: lm.file,
    baseDir: lm.baseDir,
    manifestHash: manifestHash(lm),
    inputsHash: inputsHash(inputs),
    tasks,
    inputs,
    taskFiles,
    steps,
    curateVersion,
  };
}
