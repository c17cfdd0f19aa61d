import type { Argv, CommandModule } from 'yargs';
import { compareCells } from '../compare/compare-cells.js';
import { renderCompareJson, renderCompareMarkdown, renderCompareText } from '../compare/render-compare.js';
import { matchesSelector, parseSelector } from '../compare/select-cells.js';
import { ConfigError } from '../errors.js';
import { cellsOf, mergeCells } from '../results/cell-samples.js';
import { findMetric, metricNames } from '../results/metric-definitions.js';
import { readResultsFile } from '../results/read-results.js';
import { initHistograms } from '../stats/histogram.js';

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
    const metrics = args.metrics?.split(',').map((m) => {
      const metric = findMetric(m);
      if (!metric) throw new ConfigError(`--metrics: unknown metric "${m.trim()}"; metrics: ${metricNames()}`);
      return metric.name;
    });
    const selectorGiven = args.a !== undefined || args.b !== undefined;
    if (selectorGiven && (args.a === undefined || args.b === undefined)) throw new ConfigError('--a and --b go together: give both selectors');
    if (!selectorGiven && args.files.length < 2) throw new ConfigError('compare needs two results files (A B), or one file with --a SELECTOR --b SELECTOR');
    const files = args.files.map((source) => ({ source, cells: cellsOf(readResultsFile(source), source) }));
    await initHistograms();
    const outputs: string[] = [];
    const render = args.format === 'json' ? renderCompareJson : args.format === 'md' ? renderCompareMarkdown : renderCompareText;
    if (selectorGiven) {
      const a = parseSelector('--a', args.a as string);
      const b = parseSelector('--b', args.b as string);
      const all = mergeCells(files.map((f) => f.cells));
      const cellsA = all.filter((c) => matchesSelector(c, a));
      const cellsB = all.filter((c) => matchesSelector(c, b));
      if (cellsA.length === 0) throw new ConfigError(`--a ${a.text} matches no cell of ${args.files.join(', ')}`);
      if (cellsB.length === 0) throw new ConfigError(`--b ${b.text} matches no cell of ${args.files.join(', ')}`);
      const omit = [...new Set([...a.fields.keys(), ...b.fields.keys()])];
      const names = args.files.join(', ');
      const comparison = compareCells(`${names} · ${a.text}`, cellsA, `${names} · ${b.text}`, cellsB, { omit, metrics });
      if (comparison.pairs.length === 0) throw new ConfigError(`no cell of --a ${a.text} has a counterpart in --b ${b.text} with the same other settings`);
      outputs.push(render(comparison));
    } else {
      const [base, ...others] = files;
      for (const other of others) {
        const comparison = compareCells(base!.source, base!.cells, other.source, other.cells, { metrics });
        if (comparison.pairs.length === 0) {
          throw new ConfigError(`${other.source} has no cell with the workload of a cell in ${base!.source}; compare matches cells by workers, connections, streams, in-flight, rate (and pacing in open loop), size, compression, window and max message size`);
        }
        outputs.push(render(comparison));
      }
    }
    process.stdout.write(`${args.format === 'json' && outputs.length > 1 ? `[${outputs.join(',\n')}]` : outputs.join('\n\n')}\n`);
  },
};
