import { OPTIONS } from '../config/options.js';
import { coverage, type MappingTable } from './mapping.js';

/**
 * The mapping table of a target as Markdown, for docs/scaling-out.md (a test checks that the page
 * holds exactly this, so the page and the exporter cannot drift apart).
 */
export function mappingMarkdown(rules: MappingTable): string {
  const c = coverage(rules);
  const rows = OPTIONS.filter((o) => o.status !== 'ignored').map((o) => {
    const r = rules[o.key];
    const cell = (s: string) => s.replace(/\|/g, '\\|');
    if (r === undefined) return `| \`${o.key}\` | — | missing |`;
    return 'to' in r ? `| \`${o.key}\` | ${cell(r.to)} | |` : `| \`${o.key}\` | — | ${cell(r.none)} |`;
  });
  const ignored = OPTIONS.filter((o) => o.status === 'ignored').length;
  return [
    `${c.mapped.length} options mapped, ${c.unmapped.length} reported as unmapped (${ignored} of them PM2 options Steward ignores too, not listed here).`,
    '',
    '| Option | Becomes | No equivalent because |',
    '| --- | --- | --- |',
    ...rows,
  ].join('\n');
}
