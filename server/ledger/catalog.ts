import { isNull, notInArray } from 'drizzle-orm';
import { z } from 'zod';
import { isVariablePrice, parsePrice, type PricePerToken } from '../../src/lib/domain/money';
import type { Db } from '../db/client';
import { models } from '../db/schema';
import type { Logger } from '../log';
import type { Upstream } from '../orchestrator/upstream';

export interface CatalogModel {
	id: string;
	name: string;
	contextLength: number | null;
	maxCompletionTokens: number | null;
	modality: string | null;
	promptPrice: PricePerToken;
	completionPrice: PricePerToken;
	/** The provider's strings, exactly as received. */
	prices: { prompt: string; completion: string; request: string };
	/** Variable-price routers ("-1"): no worst case can be computed, so they are refused. */
	variablePrice: boolean;
}

/** The part of OpenRouter's /models entry we rely on; the rest is ignored. */
const UpstreamModel = z.object({
	id: z.string().min(1).max(200),
	name: z.string().optional(),
	context_length: z.number().int().positive().nullish(),
	architecture: z.object({ modality: z.string().nullish() }).nullish(),
	pricing: z.object({ prompt: z.string(), completion: z.string(), request: z.string().nullish() }),
	top_provider: z.object({ max_completion_tokens: z.number().int().positive().nullish() }).nullish()
});
const UpstreamModels = z.object({ data: z.array(z.unknown()) });

export class UnknownModelError extends Error {
	override name = 'UnknownModelError';
	constructor(readonly model: string) {
		super(`The model "${model}" is not in the catalog. Pick one from the model list (models.list or GET /v1/models).`);
	}
}

const REFRESH_EVERY_MS = 6 * 60 * 60 * 1000;

/**
 * Models and their exact per-token prices, from the upstream's /models, stored in SQLite so the
 * last known catalog still serves when the upstream is down at boot.
 */
export class ModelCatalog {
	#byId = new Map<string, CatalogModel>();
	#timer: NodeJS.Timeout | null = null;

	constructor(
		private readonly db: Db,
		private readonly upstream: Upstream,
		private readonly log: Logger
	) {
		this.#load();
	}

	list(): CatalogModel[] {
		return [...this.#byId.values()].sort((a, b) => a.id.localeCompare(b.id));
	}

	get size(): number {
		return this.#byId.size;
	}

	/** The model, or an error a person can act on; variable-price models cannot be budgeted. */
	require(id: string): CatalogModel {
		const model = this.#byId.get(id);
		if (!model) throw new UnknownModelError(id);
		return model;
	}

	/** Fetches /models and stores it; on failure the stored catalog stays. Returns the model count. */
	async refresh(): Promise<number> {
		const raw = UpstreamModels.parse(await this.upstream.client.get('/models'));
		const now = Date.now();
		const rows: Array<typeof models.$inferInsert> = [];
		for (const item of raw.data) {
			const parsed = UpstreamModel.safeParse(item);
			if (!parsed.success) continue; // One odd entry must not cost the whole catalog.
			const m = parsed.data;
			if (!isPriceText(m.pricing.prompt) || !isPriceText(m.pricing.completion)) continue;
			rows.push({
				id: m.id,
				name: m.name ?? m.id,
				contextLength: m.context_length ?? null,
				maxCompletionTokens: m.top_provider?.max_completion_tokens ?? null,
				modality: m.architecture?.modality ?? null,
				promptPrice: m.pricing.prompt,
				completionPrice: m.pricing.completion,
				requestPrice: m.pricing.request ?? '0',
				fetchedAt: now,
				removedAt: null
			});
		}
		if (rows.length === 0) throw new Error('the upstream listed no usable models');
		this.db.transaction((tx) => {
			for (const row of rows) {
				tx.insert(models).values(row).onConflictDoUpdate({ target: models.id, set: row }).run();
			}
			tx.update(models)
				.set({ removedAt: now })
				.where(notInArray(models.id, rows.map((r) => r.id)))
				.run();
		});
		this.#load();
		return rows.length;
	}

	/** Boot: refresh, or keep serving what is stored if the upstream is down; then every few hours. */
	async start(): Promise<void> {
		try {
			const count = await this.refresh();
			this.log.info('model catalog refreshed', { models: count });
		} catch (error) {
			this.log.warn(`model catalog refresh failed; serving the stored catalog (${this.size} models)`, { error });
		}
		this.#timer = setInterval(() => {
			this.refresh().catch((error: unknown) => this.log.warn('model catalog refresh failed', { error }));
		}, REFRESH_EVERY_MS);
		this.#timer.unref();
	}

	stop(): void {
		if (this.#timer) clearInterval(this.#timer);
	}

	#load(): void {
		const rows = this.db.select().from(models).where(isNull(models.removedAt)).all();
		this.#byId = new Map(rows.map((row) => [row.id, toCatalogModel(row)]));
	}
}

function isPriceText(text: string): boolean {
	return isVariablePrice(text) || /^\d+(\.\d+)?$/.test(text);
}

function toCatalogModel(row: typeof models.$inferSelect): CatalogModel {
	const variablePrice = isVariablePrice(row.promptPrice) || isVariablePrice(row.completionPrice);
	return {
		id: row.id,
		name: row.name,
		contextLength: row.contextLength,
		maxCompletionTokens: row.maxCompletionTokens,
		modality: row.modality,
		promptPrice: variablePrice ? { attoUsd: 0n } : parsePrice(row.promptPrice),
		completionPrice: variablePrice ? { attoUsd: 0n } : parsePrice(row.completionPrice),
		prices: { prompt: row.promptPrice, completion: row.completionPrice, request: row.requestPrice },
		variablePrice
	};
}
