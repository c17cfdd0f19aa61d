import { basename, extname, join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { ConfigError } from '../errors.js';
import { cellHgrm, hgrmFileName } from '../report/hgrm.js';
import { renderHtmlReport } from '../report/html-report.js';
import { renderMarkdownReport } from '../report/markdown-report.js';
import { cellsOf } from '../results/cell-samples.js';
import { readResultsFile } from '../results/read-results.js';
import { writeFileAtomic } from '../results/write-atomic.js';
import { initHistograms } from '../stats/histogram.js';

interface ReportArgs {
  files: string[];
  out?: string;
  hgrm?: string;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <files..>',
  describe: 'Report of results files: Markdown to stdout, or --out report.md / report.html (self-contained, charts inline)',
  builder: (y) =>
    (y as Argv<object>)
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'Results files written by run or sweep' })
      .option('out', { type: 'string', requiresArg: true, describe: 'Write the report here instead of stdout; .md = Markdown, .html = HTML' })
      .option('hgrm', { type: 'string', requiresArg: true, describe: "Also write each cell's percentile distribution (HdrHistogram .hgrm, ms) into this folder" })
      .example('$0 report results/run.json', 'Markdown summary on stdout')
      .example('$0 report results/sweep.json --out report.html', 'Self-contained HTML with charts')
      .example('$0 report results/sweep.json --hgrm hgrm/', 'One .hgrm file per cell for HdrHistogram\'s plotter') as Argv<ReportArgs>,
  handler: async (args) => {
    const format = args.out === undefined ? 'md' : extname(args.out).toLowerCase().replace(/^\./, '');
    if (format !== 'md' && format !== 'html' && format !== 'markdown' && format !== 'htm') {
      throw new ConfigError(`--out ${args.out} must end in .md or .html (the extension chooses the format)`);
    }
    const files = args.files.map((source) => ({ source, file: readResultsFile(source) }));
    await initHistograms();
    const text = format === 'html' || format === 'htm' ? renderHtmlReport(files) : renderMarkdownReport(files);
    if (args.out === undefined) process.stdout.write(text);
    else {
      writeFileAtomic(args.out, text);
      process.stderr.write(`report     ${args.out}\n`);
    }
    if (args.hgrm !== undefined) {
      const prefixOf = (source: string): string => (files.length > 1 ? basename(source, extname(source)) : '');
      let count = 0;
      for (const { file, source } of files) {
        for (const cell of cellsOf(file, source)) {
          const text = cellHgrm(cell);
          if (text === null) continue;
          writeFileAtomic(join(args.hgrm, hgrmFileName(prefixOf(source), file.kind === 'run' ? 'run' : cell.id)), text);
          count++;
        }
      }
      process.stderr.write(`hgrm       ${count} file(s) in ${args.hgrm}\n`);
    }
  },
};
