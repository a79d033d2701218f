import type { CatalogModel } from './catalog.svelte';

/** "$3.00 in · $15.00 out / 1M": the catalog's per-million display prices, compactly. */
export function priceText(model: CatalogModel): string {
	if (model.variablePrice) return 'variable price';
	const per = (text: string) => text.replace(' / M tokens', '');
	return `${per(model.display.prompt)} in · ${per(model.display.completion)} out / 1M`;
}

/** "128k context". */
export function contextText(model: CatalogModel): string {
	const n = model.contextLength;
	if (!n) return 'context unknown';
	// Providers give both binary (32,768) and decimal (128,000) sizes: show each as its own kind.
	if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K context`;
	return n >= 1000 ? `${Math.round(n / 1000)}k context` : `${n} context`;
}
