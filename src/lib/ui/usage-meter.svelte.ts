import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../../server/routers/_app';
import { trpc } from '../client/trpc';

export type UsageMe = inferRouterOutputs<AppRouter>['usage']['me'];

const DAY_MS = 86_400_000;
const CACHE_KEY = 'phosphor.usage';

/**
 * Spend from the server's ledger: the caller's period against their budget (`usage.me`) and
 * today's total (UTC day, `usage.report`). Cached for offline reading; refreshed when a reply
 * ends or an alert arrives.
 */
class UsageMeter {
	me = $state.raw<UsageMe | null>(null);
	todayNanoUsd = $state<number | null>(null);
	updatedAt = $state<number | null>(null);
	#timer: ReturnType<typeof setTimeout> | null = null;

	constructor() {
		try {
			const cached = JSON.parse(globalThis.localStorage?.getItem(CACHE_KEY) ?? 'null') as { me: UsageMe; today: number; at: number } | null;
			if (cached) {
				this.me = cached.me;
				this.todayNanoUsd = cached.today;
				this.updatedAt = cached.at;
			}
		} catch {
			// No cache: the first refresh fills it.
		}
	}

	/** Coalesces bursts (several replies ending at once) into one request. */
	refreshSoon(): void {
		if (this.#timer) return;
		this.#timer = setTimeout(() => {
			this.#timer = null;
			void this.refresh();
		}, 400);
	}

	async refresh(): Promise<void> {
		try {
			const now = Date.now();
			const from = Math.floor(now / DAY_MS) * DAY_MS;
			const [me, today] = await Promise.all([trpc.usage.me.query(), trpc.usage.report.query({ groupBy: 'day', from, to: now + 1 })]);
			this.me = me;
			this.todayNanoUsd = today.reduce((sum, row) => sum + row.costNanoUsd, 0);
			this.updatedAt = now;
			localStorage.setItem(CACHE_KEY, JSON.stringify({ me, today: this.todayNanoUsd, at: now }));
		} catch {
			// Offline or signed out: the last figures stay, marked by their time.
		}
	}
}

export const usageMeter = new UsageMeter();
