import type { PhosphorDb } from './store/db';
import { readConversationList } from './store/queries';

export interface SearchHit {
	conversationId: string;
	title: string;
	/** The message the match is in; null when only the title matched. */
	messageId: string | null;
	/** Text around the first match, split so the UI can mark the match without any HTML. */
	snippet: { before: string; match: string; after: string } | null;
	updatedAt: number;
}

const CONTEXT = 40;

/**
 * Full-text search over this device's copy — synced rows and changes still queued — so it works
 * offline. Case-insensitive substring match; one hit per conversation (its title, else its first
 * matching message), newest conversations first. A linear scan: tens of thousands of messages
 * search in tens of milliseconds.
 */
export async function searchLocal(db: PhosphorDb, term: string, limit = 50): Promise<SearchHit[]> {
	const needle = term.trim().toLocaleLowerCase();
	if (!needle) return [];
	const conversations = await readConversationList(db);
	const byId = new Map(conversations.map((c) => [c.id, c]));
	const hits = new Map<string, SearchHit>();
	for (const c of conversations) {
		const at = c.title.toLocaleLowerCase().indexOf(needle);
		if (at >= 0) hits.set(c.id, { conversationId: c.id, title: c.title, messageId: null, snippet: null, updatedAt: c.updatedAt });
	}
	const consider = (conversationId: string, messageId: string, content: string) => {
		const existing = hits.get(conversationId);
		if (existing?.messageId) return;
		const conversation = byId.get(conversationId);
		if (!conversation) return;
		const at = content.toLocaleLowerCase().indexOf(needle);
		if (at < 0) return;
		hits.set(conversationId, {
			conversationId,
			title: conversation.title,
			messageId,
			snippet: snippetAt(content, at, needle.length),
			updatedAt: conversation.updatedAt
		});
	};
	await db.messages.each((m) => {
		if (m.deletedAt === null) consider(m.conversationId, m.id, m.content);
	});
	await db.outbox.each((entry) => {
		if (entry.name === 'message.create') consider(entry.args.conversationId, entry.args.id, entry.args.content);
	});
	return [...hits.values()].sort((a, b) => b.updatedAt - a.updatedAt).slice(0, limit);
}

function snippetAt(content: string, at: number, length: number): SearchHit['snippet'] {
	const start = Math.max(0, at - CONTEXT);
	const end = Math.min(content.length, at + length + CONTEXT);
	// Markdown punctuation around the match reads as noise in a one-line snippet.
	const squash = (s: string) => s.replace(/[#*_`>|~]+/g, ' ').replace(/\s+/g, ' ');
	return {
		before: (start > 0 ? '…' : '') + squash(content.slice(start, at)),
		match: content.slice(at, at + length),
		after: squash(content.slice(at + length, end)) + (end < content.length ? '…' : '')
	};
}
