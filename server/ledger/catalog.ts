import { isNull, notInArray } from 'drizzle-orm';
import { z } from 'zod';
import { isVariablePrice, parsePrice, type PricePerToken } from '../../src/lib/domain/money';
import { IMMEDIATE, type Db } from '../db/client';
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
/** A catalog fetch that takes longer is abandoned: a provider that accepts and never answers must not hold anything up. */
const FETCH_TIMEOUT_MS = 15_000;
/** After a failed refresh: retry soon, then less often. */
const RETRY_DELAYS_MS = [2_000, 5_000, 15_000, 60_000, 5 * 60_000];

/** `fresh`: fetched by this process; `stored`: serving what an earlier run stored; `pending`: nothing yet. */
export type CatalogState = 'fresh' | 'stored' | 'pending';

/**
 * Models and their exact per-token prices, from the upstream's /models, stored in SQLite so the
 * last known catalog still serves when the upstream is down at boot.
 */
export class ModelCatalog {
	#byId = new Map<string, CatalogModel>();
	#timer: NodeJS.Timeout | null = null;
	#fetched = false;
	#stopped = new AbortController();
	#firstAttempt: Promise<void> | null = null;

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

	/**
	 * Resolves once there is a catalog to price against: at once when one is stored, else when the
	 * first fetch at boot has succeeded or failed (bounded by its timeout). A call that arrives on a
	 * fresh install while the catalog is still on its way waits for it instead of failing.
	 */
	async loaded(): Promise<void> {
		if (this.size === 0 && this.#firstAttempt) await this.#firstAttempt;
	}

	get state(): CatalogState {
		return this.#fetched ? 'fresh' : this.size > 0 ? 'stored' : 'pending';
	}

	/** Fetches /models and stores it; on failure the stored catalog stays. Returns the model count. */
	async refresh(): Promise<number> {
		const raw = UpstreamModels.parse(
			await this.upstream.client.get('/models', { timeout: FETCH_TIMEOUT_MS, maxRetries: 0, signal: this.#stopped.signal })
		);
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
		}, IMMEDIATE);
		this.#load();
		this.#fetched = true;
		return rows.length;
	}

	/**
	 * Boot: serves the stored catalog at once and refreshes in the background — retried soon after a
	 * failure, then every few hours. Never awaited by boot: a provider that is down or hangs must
	 * not keep the server from listening.
	 */
	start(): void {
		const attempt = (failures: number) => {
			const refreshing = this.refresh();
			this.#firstAttempt ??= refreshing.then(
				() => undefined,
				() => undefined
			);
			refreshing.then(
				(count) => {
					this.log.info('model catalog refreshed', { models: count });
					this.#schedule(() => attempt(0), REFRESH_EVERY_MS);
				},
				(error: unknown) => {
					if (this.#stopped.signal.aborted) return;
					const delay = RETRY_DELAYS_MS[Math.min(failures, RETRY_DELAYS_MS.length - 1)] as number;
					this.log.warn(`model catalog refresh failed; serving the stored catalog (${this.size} models), retrying in ${delay / 1000} s`, {
						error: error instanceof Error ? error.message : String(error)
					});
					this.#schedule(() => attempt(failures + 1), delay);
				}
			);
		};
		attempt(0);
	}

	stop(): void {
		this.#stopped.abort();
		if (this.#timer) clearTimeout(this.#timer);
	}

	#schedule(run: () => void, ms: number): void {
		if (this.#stopped.signal.aborted) return;
		this.#timer = setTimeout(run, ms);
		this.#timer.unref();
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
