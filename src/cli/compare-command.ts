import type { Argv, CommandModule } from 'yargs';
import { renderCompareJson, renderCompareMarkdown, renderCompareText } from '../compare/render-compare.js';
import { runCompare } from '../compare/run-compare.js';

interface CompareArgs {
  files: string[];
  a?: string;
  b?: string;
  format: string;
  metrics?: string;
}

export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare <files..>',
  describe: 'Compare results: B against A per matching cell, with significance across repetitions (~ = not significant)',
  builder: (y) =>
    (y as Argv<object>)
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'A.json B.json [C.json …] (each against A), or one file with --a and --b' })
      .option('a', { type: 'string', requiresArg: true, describe: 'Cells of side A: FIELD=VALUE[,…] (e.g. compression=identity) or a sweep cell id' })
      .option('b', { type: 'string', requiresArg: true, describe: 'Cells of side B, paired with A on every other setting' })
      .option('format', { type: 'string', default: 'text', choices: ['text', 'md', 'json'], describe: 'Output format' })
      .option('metrics', { type: 'string', requiresArg: true, describe: 'Comma-separated metrics [default: msgs_per_s,p50,p99,p99_9]' })
      .example('$0 compare base.json new.json', 'Every cell of new.json against the same workload in base.json')
      .example('$0 compare sweep.json --a compression=identity --b compression=gzip', 'gzip against identity within one sweep')
      .example('$0 compare base.json new.json --format md', 'Markdown table (e.g. for a PR comment)') as Argv<CompareArgs>,
  handler: async (args) => {
    const comparisons = await runCompare({ files: args.files, a: args.a, b: args.b, metrics: args.metrics });
    const render = args.format === 'json' ? renderCompareJson : args.format === 'md' ? renderCompareMarkdown : renderCompareText;
    const outputs = comparisons.map((comparison) => render(comparison));
    process.stdout.write(`${args.format === 'json' && outputs.length > 1 ? `[${outputs.join(',\n')}]` : outputs.join('\n\n')}\n`);
  },
};
