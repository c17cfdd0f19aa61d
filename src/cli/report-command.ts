import { basename, extname, join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { buildReport, reportFormatOfPath } from '../report/build-report.js';
import { cellHgrm, hgrmFileName } from '../report/hgrm.js';
import { cellsOf } from '../results/cell-samples.js';
import { writeFileAtomic } from '../results/write-atomic.js';

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
    const { files, text } = await buildReport(args.files, reportFormatOfPath(args.out));
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
