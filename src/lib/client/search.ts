import type { PhosphorDb } from './store/db';
import { readConversationList } from './store/queries';

/**
 * Conversations whose title or any message contains `term` (case-insensitive), from this
 * device's copy — synced rows and changes still queued — so it works offline. A linear scan;
 * fine for thousands of conversations.
 */
export async function searchConversationIds(db: PhosphorDb, term: string): Promise<Set<string>> {
	const needle = term.trim().toLocaleLowerCase();
	const ids = new Set<string>();
	if (!needle) return ids;
	for (const c of await readConversationList(db)) if (c.title.toLocaleLowerCase().includes(needle)) ids.add(c.id);
	await db.messages.each((m) => {
		if (m.deletedAt === null && !ids.has(m.conversationId) && m.content.toLocaleLowerCase().includes(needle)) ids.add(m.conversationId);
	});
	await db.outbox.each((entry) => {
		if (entry.name === 'message.create' && entry.args.content.toLocaleLowerCase().includes(needle)) ids.add(entry.args.conversationId);
	});
	return ids;
}
