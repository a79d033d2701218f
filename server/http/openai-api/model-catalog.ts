import type { ModelCatalog } from '../../ledger/catalog';

export interface OpenAiModel {
	id: string;
	object: 'model';
	created: number;
	owned_by: string;
	/** OpenRouter's extras, kept so tools that read them still can. */
	context_length: number | null;
	pricing: { prompt: string; completion: string; request: string };
}

/** GET /v1/models: the stored catalog (docs/architecture.md#money-and-the-ledger), in OpenAI's list shape. */
export function listModels(catalog: ModelCatalog): OpenAiModel[] {
	return catalog.list().map((m) => ({
		id: m.id,
		object: 'model',
		created: 0,
		// OpenRouter's ids are "<vendor>/<model>": the vendor is the owner.
		owned_by: m.id.split('/')[0] ?? 'unknown',
		context_length: m.contextLength,
		pricing: m.prices
	}));
}
