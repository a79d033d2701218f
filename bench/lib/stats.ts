/** Nearest-rank percentile of a sample (p in 0..100). */
export function percentile(values: number[], p: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[rank] as number;
}

export const median = (values: number[]) => percentile(values, 50);

export const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** One line per figure: what, measured, target, verdict. */
export function report(name: string, value: string, target: string, met: boolean | null): void {
	const verdict = met === null ? 'info' : met ? 'PASS' : 'MISS';
	console.log(`  ${name.padEnd(64)} ${value.padStart(14)}   target ${target.padEnd(22)} ${verdict}`);
}

/** Figures side by side: one row per figure, one column per target measured in the same rounds. */
export function table(columns: string[], rows: Array<[label: string, cells: string[]]>): void {
	const width = Math.max(...columns.map((c) => c.length), ...rows.flatMap(([, cells]) => cells.map((c) => c.length))) + 2;
	console.log(`  ${''.padEnd(40)}${columns.map((c) => c.padStart(width)).join('')}`);
	for (const [label, cells] of rows) console.log(`  ${label.padEnd(40)}${cells.map((c) => c.padStart(width)).join('')}`);
}
