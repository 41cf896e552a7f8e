// Progress: a bar with docs/s, MB/s and ETA on a terminal; a plain log line every 10 s otherwise.
import cliProgress from 'cli-progress';
import type { Logger } from './types.ts';

export class ProgressDisplay {
  private bar: cliProgress.SingleBar | null = null;
  private docs = 0;
  private bytes = 0;
  private total = 0;
  private started = Date.now();
  private lastLog = Date.now();
  private stepId = '';
  private readonly tty: boolean;
  private readonly log: Logger;

  constructor(enabled: boolean, log: Logger) {
    this.tty = enabled && Boolean(process.stderr.isTTY);
    this.log = log;
  }

  step(id: string, pending: number, total: number, totalBytes: number): void {
    this.stop();
    this.stepId = id;
    this.docs = 0; this.bytes = 0; this.total = totalBytes; this.started = Date.now();
    if (pending === 0) return;
    this.log.info(`step ${id}: ${pending} task(s)`);
    if (this.tty) {
      this.bar = new cliProgress.SingleBar({
        format: `  ${id} [{bar}] {percentage}% | {docs} docs | {dps} docs/s | {mbps} MB/s | ETA {eta_formatted}`,
        stream: process.stderr, hideCursor: true, etaBuffer: 50,
      }, cliProgress.Presets.shades_classic);
      this.bar.start(totalBytes > 0 ? totalBytes : 1, 0, { docs: 0, dps: 0, mbps: '0.0' });
    }
  }

  update(docs: number, bytes: number): void {
    this.docs += docs; this.bytes += bytes;
    const secs = Math.max(0.001, (Date.now() - this.started) / 1000);
    const dps = Math.round(this.docs / secs);
    const mbps = (this.bytes / 1e6 / secs).toFixed(1);
    if (this.bar) this.bar.update(this.total > 0 ? Math.min(this.bytes, this.total) : 0, { docs: this.docs, dps, mbps });
    else if (Date.now() - this.lastLog > 10_000) {
      this.lastLog = Date.now();
      const pct = this.total > 0 ? ` (${Math.min(100, (100 * this.bytes) / this.total).toFixed(0)}% of input)` : '';
      this.log.info(`  ${this.stepId}: ${this.docs} docs${pct}, ${dps} docs/s, ${mbps} MB/s`);
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
