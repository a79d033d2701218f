import { workspace } from './workspace.svelte';

/**
 * What the next new conversation starts with, chosen in the model panel before the first
 * message: it becomes the conversation's own settings when the conversation is created.
 */
class NewChatSettings {
	model = $state<string | null>(null);
	systemPrompt = $state('');
	temperature = $state<number | null>(null);
	maxTokens = $state<number | null>(null);
	fallbackModels = $state<string[] | null>(null);

	get effectiveModel(): string | null {
		return this.model ?? workspace.defaults?.model ?? null;
	}

	get effectiveFallbacks(): string[] {
		return this.fallbackModels ?? workspace.defaults?.fallbackModels ?? [];
	}

	reset(): void {
		this.model = null;
		this.systemPrompt = '';
		this.temperature = null;
		this.maxTokens = null;
		this.fallbackModels = null;
	}
}

export const newChat = new NewChatSettings();
