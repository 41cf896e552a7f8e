// Subcommands contributed by stage families. Each module exports register(program).
import type { Command } from 'commander';

type Register = (program: Command) => void;

export async function loadCommands(): Promise<Register[]> {
  const modules: Register[] = [];
  // one line per command module, e.g.:  modules.push((await import('./signals.ts')).register);
  modules.push((await import('./classify.ts')).register);
  modules.push((await import('./classifier.ts')).register);
  modules.push((await import('./dedup.ts')).register);
  modules.push((await import('./cancel.ts')).register);
  modules.push((await import('./signals.ts')).register);
  modules.push((await import('./report.ts')).register);
  modules.push((await import('./explain.ts')).register);
  modules.push((await import('./tokenize.ts')).register);
  return modules;
}
