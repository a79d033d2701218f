import { tracked } from '@trpc/server';
import type { WatchedEvent } from '../../src/lib/domain/server-events';
import type { BusEvent } from '../events/event-bus';
import { protectedProcedure, router } from '../trpc/init';

/** Which bus events a user may see: their own replies and alerts; circuit news is for everyone. */
export function visibleTo(userId: string, event: BusEvent): boolean {
	switch (event.type) {
		case 'generation':
		case 'sync':
			return event.userId === userId;
		case 'budget-alert':
			return event.userIds.includes(userId);
		default:
			return true;
	}
}

export const eventsRouter = router({
	/** The one long-lived subscription per tab: sync pokes, alerts, circuit changes, reply states, multiplexed. */
	watch: protectedProcedure.subscription(async function* ({ ctx, signal }) {
		const done = signal ?? new AbortController().signal;
		for await (const stamped of ctx.services.bus.watch(done)) {
			if (!visibleTo(ctx.user.id, stamped.event)) continue;
			// A poke says only "pull": what changed is for the pull to tell, under its own checks.
			const event: WatchedEvent = stamped.event.type === 'sync' ? { type: 'sync', at: stamped.at } : { ...stamped.event, at: stamped.at };
			yield tracked(String(stamped.seq), event);
		}
	})
});
