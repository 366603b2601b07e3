/** One row of the proof suite's summary: figures, not promises. */
export interface LedgerRow {
  readonly scenario: string;
  submitted: number | '-';
  final: number | '-';
  lost: number | '-';
  duplicate: number | '-';
  fiveXx: number | '-';
  notes: string;
}

const rows: LedgerRow[] = [];

/** A row for `scenario`, filled in as the scenario goes, so a failing scenario still reports. */
export function ledgerRow(scenario: string): LedgerRow {
  const row: LedgerRow = { scenario, submitted: 0, final: 0, lost: 0, duplicate: 0, fiveXx: 0, notes: '' };
  rows.push(row);
  return row;
}

export function summaryTable(): string {
  const header = ['scenario', 'submitted', 'final', 'lost', 'duplicate', '5xx', 'notes'];
  const body = rows.map((r) => [r.scenario, String(r.submitted), String(r.final), String(r.lost), String(r.duplicate), String(r.fiveXx), r.notes]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => (i === 6 ? 0 : (line[i] ?? '').length))));
  const format = (line: readonly string[]): string =>
    line.map((cell, i) => (i === 6 ? cell : i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' | ');
  const rule = widths.map((w, i) => (i === 6 ? '-----' : '-'.repeat(w))).join('-+-');
  return ['', 'Proof suite summary', format(header), rule, ...body.map(format), ''].join('\n');
}
