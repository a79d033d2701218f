/**
 * The composer's unsent text, per conversation (`new` for a chat not started yet), in
 * localStorage: it survives a reload, a crash and going offline, and never syncs.
 */
const key = (userId: string, conversationId: string | null) => `phosphor.draft.${userId}.${conversationId ?? 'new'}`;

export function readDraft(userId: string, conversationId: string | null): string {
	try {
		return localStorage.getItem(key(userId, conversationId)) ?? '';
	} catch {
		return '';
	}
}

export function writeDraft(userId: string, conversationId: string | null, text: string): void {
	try {
		if (text) localStorage.setItem(key(userId, conversationId), text);
		else localStorage.removeItem(key(userId, conversationId));
	} catch {
		// Storage full or blocked: the draft lives only in the page, which is still better than failing to type.
	}
}

/** Wiping this device's data takes the drafts too. */
export function clearDrafts(userId: string): void {
	try {
		const prefix = `phosphor.draft.${userId}.`;
		for (const k of Object.keys(localStorage)) if (k.startsWith(prefix)) localStorage.removeItem(k);
	} catch {
		// Nothing stored, nothing to clear.
	}
}
