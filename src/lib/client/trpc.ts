import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import type { AppRouter } from '../../../server/routers/_app';

/**
 * The one tRPC client. Subscriptions ride SSE (EventSource, with the session cookie);
 * queries and mutations are batched over plain HTTP on the same origin.
 */
export const trpc = createTRPCClient<AppRouter>({
	links: [
		splitLink({
			condition: (op) => op.type === 'subscription',
			true: httpSubscriptionLink({ url: '/trpc' }),
			false: httpBatchLink({ url: '/trpc' })
		})
	]
});

/** What a person should read when a call fails: the server's message, not a stack. */
export function errorMessage(error: unknown): string {
	if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') {
		return error.message.startsWith('Invalid input — ') ? error.message.slice('Invalid input — '.length) : error.message;
	}
	return 'Something went wrong. Check your connection and try again.';
}
