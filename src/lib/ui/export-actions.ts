import { page } from '$app/state';
import { readConversation } from '../client/store/queries';
import { download } from './download';
import { workspace } from './workspace.svelte';

/** Export commands (palette, usage of the Export buttons). The import-export module loads on first use. */
export const exportActions = {
	async conversationMarkdown(): Promise<void> {
		const store = workspace.store;
		const id = page.params.id;
		if (!store || !id) return;
		const [{ exportConversationMarkdown, conversationFilename }, detail] = await Promise.all([
			import('../client/import-export'),
			readConversation(store.db, id)
		]);
		if (!detail) return;
		download(conversationFilename(detail.conversation.title || 'conversation'), exportConversationMarkdown(detail), 'text/markdown;charset=utf-8');
	},

	async allJson(): Promise<void> {
		const store = workspace.store;
		if (!store) return;
		const { exportAllJson, exportAllFilename } = await import('../client/import-export');
		download(exportAllFilename(), JSON.stringify(await exportAllJson(store.db), null, 2), 'application/json');
	}
};
