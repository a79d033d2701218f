import type { Unsubscribable } from '@trpc/server/observable';
import { errorMessage, trpc } from '../client/trpc';

export interface Turn {
	id: string;
	role: 'user' | 'assistant';
	text: string;
	state: 'streaming' | 'done' | 'failed' | 'cancelled';
	note?: string;
}

const PENDING_KEY = 'phosphor.pending-generation';

interface Pending {
	generationId: string;
	conversationId: string;
	prompt: string;
}

/** The demo conversation: sends a message, then follows the server-side reply as it streams. */
class Chat {
	turns = $state<Turn[]>([]);
	conversationId = $state<string | null>(null);
	generationId = $state<string | null>(null);
	error = $state<string | null>(null);
	#subscription: Unsubscribable | null = null;

	get streaming(): boolean {
		return this.generationId !== null;
	}

	async send(content: string): Promise<void> {
		this.error = null;
		const started = await trpc.generation.start.mutate({ content, conversationId: this.conversationId ?? undefined });
		this.conversationId = started.conversationId;
		this.turns.push({ id: started.userMessageId, role: 'user', text: content, state: 'done' });
		this.#follow({ generationId: started.generationId, conversationId: started.conversationId, prompt: content });
	}

	/** After a reload, pick the reply back up where the server has it. */
	resume(): void {
		const raw = sessionStorage.getItem(PENDING_KEY);
		if (!raw) return;
		const pending = JSON.parse(raw) as Pending;
		this.conversationId = pending.conversationId;
		this.turns.push({ id: `${pending.generationId}-prompt`, role: 'user', text: pending.prompt, state: 'done' });
		this.#follow(pending);
	}

	async cancel(): Promise<void> {
		if (this.generationId) await trpc.generation.cancel.mutate({ generationId: this.generationId });
	}

	#follow(pending: Pending): void {
		sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
		this.generationId = pending.generationId;
		this.turns.push({ id: pending.generationId, role: 'assistant', text: '', state: 'streaming' });
		const turn = this.turns[this.turns.length - 1] as Turn;
		const finish = (state: Turn['state'], note?: string) => {
			turn.state = state;
			turn.note = note;
			this.generationId = null;
			sessionStorage.removeItem(PENDING_KEY);
			this.#subscription?.unsubscribe();
			this.#subscription = null;
		};
		this.#subscription = trpc.generation.attach.subscribe(
			{ generationId: pending.generationId },
			{
				onData: ({ data }) => {
					if (data.type === 'delta') turn.text += data.text;
					else if (data.type === 'snapshot') turn.text = data.text;
					else if (data.type === 'model') turn.note = data.model;
					else if (data.type === 'done') finish('done', data.model);
					else if (data.type === 'failed') finish('failed', data.reason);
					else finish('cancelled', 'Stopped');
				},
				onError: (error) => {
					// Only the server's word ends the reply here. A dropped connection (a reload, a page
					// closing, a network cut) is not its failure: the pending record stays, so the next
					// page resumes it.
					if (!error.data?.code) {
						turn.note = 'Connection lost; reload to resume.';
						return;
					}
					finish('failed', errorMessage(error));
				}
			}
		);
	}
}

export const chat = new Chat();
