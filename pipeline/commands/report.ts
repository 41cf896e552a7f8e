// `curate report <run-dir>` and `curate report --sample N <manifest>`: quality-signal reports (HTML, text, JSON).
import { mkdirSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../run.ts';
import { openRun } from '../report/load.ts';
import { collectReport, type ReportData } from '../report/data.ts';
import { renderHtml } from '../report/html.ts';
import { renderText } from '../report/text.ts';
import { sampleReport } from '../report/sample.ts';

interface Opts { format: string; output?: string; sample?: number; bins: number; samples: number }

const log = {
  info: (m: string) => console.error(m),
  warn: (m: string) => console.error(`warning: ${m}`),
  debug: (m: string) => { if (process.env.CURATE_DEBUG) console.error(m); },
};

export function register(program: Command): void {
  program.command('report')
    .description('Quality report of a run: funnel per source, drop reasons, signal histograms before filtering with the thresholds drawn, classifier scores, dedup clusters, tokens; or, with --sample, signals of a manifest on a sample before a run.')
    .argument('<run-dir|manifest>', 'run directory (the --output of `curate run`), or a manifest with --sample')
    .option('-f, --format <format>', 'html (self-contained file), text (key tables in the terminal) or json (the numbers)', 'html')
    .option('-o, --output <file>', 'where to write the HTML/JSON (default: <run-dir>/report/report.html|json; with --sample: ./<name>-sample-report.html|json)')
    .option('--sample <n>', 'signals-only mode: run the chain up to its first global step on n documents per source of <manifest>', (v) => parseInt(v, 10))
    .option('--bins <n>', 'histogram bins', (v) => parseInt(v, 10), 40)
    .option('--samples <n>', 'sample documents kept per drop reason', (v) => parseInt(v, 10), 5)
    .action(async (target: string, o: Opts) => {
      if (!['html', 'text', 'json'].includes(o.format)) throw new UserError(`--format must be html, text or json (got "${o.format}")`);
      if (!(o.bins >= 2 && o.bins <= 500)) throw new UserError('--bins must be a number between 2 and 500');
      let data: ReportData;
      let defaultOut: string;
      if (o.sample !== undefined) {
        if (!(o.sample > 0)) throw new UserError('--sample needs a positive number of documents per source, e.g. --sample 1000');
        if (existsSync(target) && statSync(target).isDirectory()) throw new UserError(`--sample takes a manifest, and ${target} is a folder. For a finished run, drop --sample: \`curate report ${target}\`.`);
        data = await sampleReport(target, { perSource: o.sample, log, bins: o.bins, samplesPerReason: o.samples });
        defaultOut = resolve(`${data.name}-sample-report.${o.format}`);
      } else {
        if (existsSync(target) && statSync(target).isFile()) throw new UserError(`${target} is a file. \`curate report\` takes a run directory; to look at a manifest's signals before running it, use \`curate report --sample 1000 ${target}\`.`);
        const r = await openRun(target);
        data = await collectReport(r.source, { bins: o.bins, samplesPerReason: o.samples });
        defaultOut = join(r.runDir, 'report', `report.${o.format}`);
      }
      if (o.format === 'text') {
        process.stdout.write(renderText(data));
        if (o.output) { mkdirSync(dirname(resolve(o.output)), { recursive: true }); writeFileSync(o.output, renderText(data)); }
        return;
      }
      const out = resolve(o.output ?? defaultOut);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, o.format === 'json' ? JSON.stringify(data, null, 1) : renderHtml(data));
      console.log(`report written to ${out} (${data.signals.length} signal histograms, ${data.dropReasons.length} drop reasons, ${data.seconds.toFixed(1)} s)`);
    });
}
