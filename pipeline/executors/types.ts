// What an executor gets: the planned run, and which tasks of each step are still to do.
import type { Logger, Storage } from '../types.ts';
import type { Plan } from '../plan.ts';
import type { Progress } from '../task.ts';

export interface RunHandle {
  runDir: string;
  plan: Plan;
  storage: Storage;
  log: Logger;
  /** Parallel tasks on this machine (local executor). */
  workers: number;
  /** Tasks of a step without a completion marker, ascending. Global steps have one task (0). */
  pendingTasks(stepId: string): Promise<number[]>;
  /** The command line that runs one task: `node <bin> _task <runDir> <step> <task>`. */
  taskCommand(stepId: string, task: number): string[];
  progress?(p: Progress): void;
  /** Called when a step begins (for progress display). */
  onStep?(stepId: string, pending: number, total: number): void;
}

export interface Executor {
  execute(run: RunHandle): Promise<void>;
}

export class TaskFailure extends Error {
  readonly step: string;
  readonly task: number;
  constructor(step: string, task: number, message: string) {
    super(message);
    this.name = 'TaskFailure';
    this.step = step;
    this.task = task;
  }
}
