/**
 * Reads the Prometheus text exposition format (0.0.4) back into samples, strictly: a line that
 * is not a comment, a HELP/TYPE line or a well-formed sample is an error naming the line. Used
 * to check what the exporters serve (tests), without promtool.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** Metric family → type (counter, gauge, histogram, summary, untyped). */
  types: Map<string, string>;
  help: Map<string, string>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const FAMILY_SUFFIXES: Record<string, readonly string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count'] };

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new Error('the exposition must end with a newline');
  lines.forEach((line, index) => {
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1}: ${why}: ${line}`);
    };
    if (line === '' || (line.startsWith('#') && !/^# (HELP|TYPE) /.test(line))) return;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name = '', rest = ''] = meta;
      if (!METRIC_NAME.test(name)) fail('bad metric name');
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) fail('unknown type');
        if (types.has(name)) fail('second TYPE line');
        if (samples.some((s) => familyOf(s.name, types) === name)) fail('TYPE after samples of the metric');
        types.set(name, rest);
      } else help.set(name, rest);
      return;
    }
    samples.push(parseSample(line, fail));
  });
  return { samples, types, help };
}

/** The family a sample belongs to: its name, or the histogram / summary whose suffix it carries. */
function familyOf(sampleName: string, types: ReadonlyMap<string, string>): string {
  for (const [family, type] of types) {
    if (family === sampleName) return family;
    for (const suffix of FAMILY_SUFFIXES[type] ?? []) if (sampleName === family + suffix) return family;
  }
  return sampleName;
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) return fail('bad metric name');
  const name = nameMatch[0];
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at++;
    while (line[at] !== '}') {
      const labelMatch = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(at));
      if (!labelMatch || labelMatch[1] === undefined || !LABEL_NAME.test(labelMatch[1])) return fail('bad label');
      at += labelMatch[0].length;
      let value = '';
      for (;;) {
        const c = line[at];
        if (c === undefined) return fail('unterminated label value');
        at++;
        if (c === '"') break;
        if (c !== '\\') {
          value += c;
          continue;
        }
        const escaped = line[at++];
        if (escaped === 'n') value += '\n';
        else if (escaped === '\\' || escaped === '"') value += escaped;
        else return fail('bad escape in label value');
      }
      if (labelMatch[1] in labels) return fail('repeated label');
      labels[labelMatch[1]] = value;
      if (line[at] === ',') at++;
      else if (line[at] !== '}') return fail('expected , or }');
    }
    at++;
  }
  const fields = line.slice(at).trim().split(/\s+/);
  if (line[at] !== ' ' || fields.length < 1 || fields.length > 2) return fail('expected " VALUE [TIMESTAMP]"');
  const value = parseValue(fields[0] ?? '');
  if (value === null) return fail('bad value');
  if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) return fail('bad timestamp');
  return { name, labels, value };
}

function parseValue(text: string): number | null {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return null;
  return Number(text);
}

/** The value of the one sample with this name and these labels (others may be present); throws when there is not exactly one. */
export function sampleValue(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  const found = findSamples(exposition, name, labels);
  if (found.length !== 1) throw new Error(`expected one sample ${name}${JSON.stringify(labels)}, found ${found.length}`);
  return (found[0] as Sample).value;
}

/** Samples with this name whose labels include `labels`. */
export function findSamples(exposition: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return exposition.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}
