/** GitHub-flavoured Markdown tables: first `leftColumns` left-aligned, the rest right-aligned. */
const escapeCell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(header: readonly string[], body: readonly (readonly string[])[], leftColumns = 2): string {
  return [
    `| ${header.map(escapeCell).join(' | ')} |`,
    `|${header.map((_, i) => (i < leftColumns ? ' --- ' : ' ---: ')).join('|')}|`,
    ...body.map((r) => `| ${r.map(escapeCell).join(' | ')} |`),
  ].join('\n');
}
