/**
 * Formats rows as a plain-text table with a header rule; numbers are right-aligned.
 *
 * @example
 * ```ts
 * import { formatTable } from './format-table.ts';
 * console.log(formatTable(['hour', 'n'], [['09:00', 3]]));
 * ```
 */
export function formatTable(header: string[], rows: (string | number)[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const line = (cells: (string | number)[]): string =>
    cells
      .map((cell, i) =>
        typeof cell === 'number' ? String(cell).padStart(widths[i]!) : String(cell).padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
