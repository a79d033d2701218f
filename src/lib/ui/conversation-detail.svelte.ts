import { page } from '$app/state';
import { readConversation, type ConversationDetail } from '../client/store/queries';
import { useLiveQuery } from './live-query.svelte';
import { workspace } from './workspace.svelte';

/**
 * A conversation with its messages, branch and replies, live from the store: the one given, or the
 * one the page shows (`/c/[id]`). Null while there is none. Call while a component initialises.
 */
export function useConversationDetail(id: () => string | null = () => page.params.id ?? null): { readonly current: ConversationDetail | null; readonly loaded: boolean } {
	const live = useLiveQuery(() => {
		const store = workspace.store;
		const conversationId = id();
		return store && conversationId ? () => readConversation(store.db, conversationId) : null;
	}, null as ConversationDetail | null);
	return {
		get current() {
			return id() ? live.current : null;
		},
		get loaded() {
			return live.loaded;
		}
	};
}
