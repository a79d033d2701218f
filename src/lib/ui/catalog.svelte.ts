import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../../server/routers/_app';
import type { UserStore } from '../client/store/db';
import { trpc } from '../client/trpc';

export type CatalogModel = inferRouterOutputs<AppRouter>['models']['list'][number];

/**
 * The model catalog with prices, kept in the user's store so the model picker and cost
 * estimates work offline. Refreshed from the server each time the workspace opens.
 */
class Catalog {
	models = $state.raw<CatalogModel[]>([]);
	#byId = $derived(new Map(this.models.map((m) => [m.id, m])));

	get(id: string | null | undefined): CatalogModel | undefined {
		return id ? this.#byId.get(id) : undefined;
	}

	async load(store: UserStore): Promise<void> {
		const cached = await store.db.models.toArray();
		if (cached.length) this.models = cached.map((row) => row.data as CatalogModel);
		try {
			const fresh = await trpc.models.list.query();
			this.models = fresh;
			await store.db.transaction('rw', store.db.models, async () => {
				await store.db.models.clear();
				await store.db.models.bulkPut(fresh.map((m) => ({ id: m.id, data: m })));
			});
		} catch {
			// Offline: the cached catalog serves.
		}
	}
}

export const catalog = new Catalog();
