import { APIConnectionError } from 'openai';
import type { Upstream } from '../../orchestrator/upstream';
import { OpenAiApiError } from './errors';

export interface OpenAiModel {
	id: string;
	object: 'model';
	created: number;
	owned_by: string;
}

/** The catalog changes a few times a day; a minute of staleness spares the upstream a call per request. */
const FRESH_MS = 60_000;
const FETCH_TIMEOUT_MS = 10_000;

/**
 * The upstream's model list, cached in memory. Stopgap until the cost ledger keeps a stored
 * catalog with prices. A failed refresh serves the last list rather than an error.
 */
export class UpstreamModelCatalog {
	#cached: { at: number; models: OpenAiModel[] } | null = null;
	#loading: Promise<OpenAiModel[]> | null = null;

	constructor(
		private readonly upstream: Upstream,
		private readonly now: () => number = Date.now
	) {}

	async list(): Promise<OpenAiModel[]> {
		const cached = this.#cached;
		if (cached && this.now() - cached.at < FRESH_MS) return cached.models;
		// Concurrent requests on a cold cache share one upstream call.
		this.#loading ??= this.#fetch().finally(() => (this.#loading = null));
		try {
			return await this.#loading;
		} catch (error) {
			if (this.#cached) return this.#cached.models;
			throw error instanceof APIConnectionError
				? new OpenAiApiError(503, 'service_unavailable', 'The model provider cannot be reached; the model list is unavailable.', 'upstream_unreachable')
				: new OpenAiApiError(502, 'upstream_error', 'The model provider failed to list its models.', 'upstream_error');
		}
	}

	async #fetch(): Promise<OpenAiModel[]> {
		const page = await this.upstream.client.models.list({ timeout: FETCH_TIMEOUT_MS, maxRetries: 1 });
		const models = page.data.map((model): OpenAiModel => {
			// OpenRouter sends no owned_by; its ids are "<vendor>/<model>", which says the same.
			const owner = typeof model.owned_by === 'string' && model.owned_by ? model.owned_by : (model.id.split('/')[0] ?? 'unknown');
			return { id: model.id, object: 'model', created: typeof model.created === 'number' ? model.created : 0, owned_by: owner };
		});
		this.#cached = { at: this.now(), models };
		return models;
	}
}
