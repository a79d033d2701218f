import type { ChatTurn } from './upstream';

export interface OrchestratorRequest {
	/** Models to try in order: the first is the one asked for, the rest are fallbacks. */
	models: string[];
	messages: ChatTurn[];
	maxTokens?: number;
	temperature?: number;
	/** The caller's abort (user pressed Stop, client went away). Never counted against a provider. */
	signal: AbortSignal;
}

export type OrchestratorEvent =
	/** The first token arrived from this model: retries and fallbacks are over from here on. */
	| { type: 'start'; model: string; upstreamId: string }
	| { type: 'delta'; text: string }
	/** The end of a successful stream. */
	| {
			type: 'finish';
			/** The model that answered, as the provider named it in the response. */
			model: string;
			upstreamId: string;
			finishReason: string;
			promptTokens: number | null;
			completionTokens: number | null;
			/** USD as the provider reported it (OpenRouter `usage.cost`), null when it sent none. */
			costUsd: number | null;
	  };

export interface Orchestrator {
	/**
	 * Streams one completion through the resilience policies (docs/architecture.md#resilience). Throws an
	 * OrchestratorError when no model could answer or the stream broke; a user abort ends it
	 * with an OrchestratorError of kind 'cancelled'.
	 */
	stream(request: OrchestratorRequest): AsyncGenerator<OrchestratorEvent>;
}
