import type { Argv, CommandModule } from 'yargs';
import { renderMergeSummary } from '../merge/render-merge.js';
import { mergeResults } from '../merge/merge-results.js';
import { loadResults } from '../results/results-input.js';
import { defaultResultsPath } from '../results/run-file.js';
import { writeFileAtomic } from '../results/write-atomic.js';
import { initHistograms } from '../stats/histogram.js';

interface MergeArgs {
  files: string[];
  out?: string;
  'allow-missing': boolean;
  json: boolean;
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <files..>',
  describe: 'Merge the shard results files of one run or sweep (--shard K/N) into one results file: histograms added exactly, counters summed',
  builder: (y) =>
    (y as Argv<object>)
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'Shard results files of one run id' })
      .option('out', { type: 'string', requiresArg: true, describe: 'Merged results file [default: results/<timestamp>-merged.json]' })
      .option('allow-missing', { type: 'boolean', default: false, describe: 'Merge even when shards are missing; the result is marked partial' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the merged document instead of the summary' })
      .example('$0 merge shard-1.json shard-2.json shard-3.json --out run.json', 'Three shards of one run into one results file')
      .example('$0 merge shards/*.json --allow-missing --out partial.json', 'Merge what is there; the result says which shards are missing') as Argv<MergeArgs>,
  handler: async (args) => {
    const inputs = loadResults(args.files, 'files');
    await initHistograms();
    const { file } = mergeResults(inputs, { allowMissing: args['allow-missing'] });
    const path = args.out ?? defaultResultsPath('merged');
    writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
    if (args.json) process.stdout.write(`${JSON.stringify(file, null, 2)}\n`);
    else process.stdout.write(`${renderMergeSummary(file)}results    ${path}\n`);
  },
};
