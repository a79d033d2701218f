import type { Mutation } from '../../domain/sync';

/** Finds what a mutation's arguments do not say: the conversation of a message or a reply. */
export interface ScopeLookup {
	conversationOfMessage(id: string): Promise<string | null>;
	conversationOfGeneration(id: string): Promise<string | null>;
}

/**
 * The conversation a mutation belongs to, stored on its outbox entry and indexed, so a view of one
 * conversation reads (and is woken by) that conversation's queued changes only — not the whole
 * outbox, which would wake every open view on every keystroke's worth of writes.
 */
export async function conversationOfMutation(mutation: Pick<Mutation, 'name' | 'args'>, lookup: ScopeLookup): Promise<string | null> {
	const m = mutation as Mutation;
	switch (m.name) {
		case 'message.create':
		case 'generation.request':
		case 'message.import':
			return m.args.conversationId;
		case 'message.delete':
			return lookup.conversationOfMessage(m.args.id);
		case 'generation.cancel':
			return lookup.conversationOfGeneration(m.args.id);
		default:
			return m.args.id;
	}
}
