import type { Unsubscribable } from '@trpc/server/observable';
import { ReplayedText } from '../client/replies/replayed-text';
import { trpc } from '../client/trpc';

export interface LiveReply {
	text: string;
	/** The model answering, once known (a fallback may differ from the one asked for). */
	model: string | null;
	/** Set once the server's job has ended; the synced row then takes over. */
	ended: 'done' | 'failed' | 'cancelled' | null;
	reason: string | null;
}

/**
 * Replies being written right now, followed through `generation.attach`: a synced assistant row
 * says only "streaming"; its growing text arrives here. A subscription resumes by event id after a
 * dropped connection; a reply followed again (its subscription failed) is replayed from the start.
 */
class Streams {
	replies = $state<Record<string, LiveReply>>({});
	#subscriptions = new Map<string, Unsubscribable>();

	/** A reply is being written right now (a reload would only pause it: it lives on the server). */
	get busy(): boolean {
		return Object.values(this.replies).some((reply) => reply.ended === null);
	}

	follow(generationId: string): void {
		if (this.#subscriptions.has(generationId)) return;
		// Ended: its text is whole, and the synced row takes over once it catches up (it may still say
		// "streaming" for a moment). Following it again would replay the reply onto its own text.
		if (this.replies[generationId]?.ended) return;
		const followed = (this.replies[generationId] ??= { text: '', model: null, ended: null, reason: null });
		const text = new ReplayedText(followed.text);
		const subscription = trpc.generation.attach.subscribe(
			{ generationId },
			{
				onData: ({ data }) => {
					const reply = this.replies[generationId];
					if (!reply) return;
					if (data.type === 'delta') reply.text = text.delta(data.text);
					else if (data.type === 'snapshot') reply.text = text.snapshot(data.text);
					else if (data.type === 'model') reply.model = data.model;
					else {
						reply.ended = data.type;
						if (data.type === 'failed') reply.reason = data.reason;
						this.#unsubscribe(generationId);
					}
				},
				onError: () => this.#unsubscribe(generationId)
			}
		);
		this.#subscriptions.set(generationId, subscription);
	}

	/** The synced row has caught up (or the reply left the screen): stop following it. */
	forget(generationId: string): void {
		this.#unsubscribe(generationId);
		delete this.replies[generationId];
	}

	forgetAll(): void {
		for (const id of [...this.#subscriptions.keys()]) this.forget(id);
		this.replies = {};
	}

	#unsubscribe(generationId: string): void {
		this.#subscriptions.get(generationId)?.unsubscribe();
		this.#subscriptions.delete(generationId);
	}
}

export const streams = new Streams();
