/** Cell selectors for comparing two cells (or two groups of cells) of the same files. */
import { ConfigError } from '../errors.js';
import type { CellSamples } from '../results/cell-samples.js';
import { fieldValue } from '../results/workload-key.js';
import { checkBytes } from '../config/checks.js';

export interface CellSelector {
  text: string;
  /** field → wanted value as text. */
  fields: Map<string, string>;
}

const BYTE_FIELDS = new Set(['size', 'window', 'maxMessageSize']);

/** "compression=gzip" or "compression=gzip,size=1KiB" or a sweep cell id (same form). */
export function parseSelector(flag: string, text: string): CellSelector {
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const match = /^\s*([A-Za-z][\w-]*)\s*=\s*(\S+?)\s*$/.exec(part);
    if (!match) throw new ConfigError(`${flag} "${text}" must be FIELD=VALUE[,FIELD=VALUE…] (e.g. compression=gzip) or a sweep cell id`);
    const name = (match[1] as string).replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    let value = match[2] as string;
    if (BYTE_FIELDS.has(name) && value !== 'default') value = String(checkBytes(`${flag} ${name}`, value, 0, 2 ** 31 - 1));
    fields.set(name, value);
  }
  return { text, fields };
}

export function matchesSelector(cell: CellSamples, selector: CellSelector): boolean {
  if (cell.id === selector.text) return true;
  for (const [name, wanted] of selector.fields) if (fieldValue(cell.config, cell.axes, name) !== wanted) return false;
  return true;
}
