import type { DeltaExtra } from './delta-extra';
import type { EventStream } from './event-stream';
import type { UpstreamMessage, UpstreamParams } from './upstream-request';

export interface OrchestratorRequest {
	/** Models to try in order: the first is the one asked for, the rest are fallbacks. */
	models: string[];
	messages: UpstreamMessage[];
	/**
	 * Present for /v1 calls only: their other request fields, sent upstream as they are. With it,
	 * deltas also carry what the provider sent besides text (`extra`: tool calls, reasoning, …).
	 */
	params?: UpstreamParams;
	maxTokens?: number;
	temperature?: number;
	/** The caller's abort (user pressed Stop, client went away). Never counted against a provider. */
	signal: AbortSignal;
}

export type OrchestratorEvent =
	/** The first token arrived from this model: retries and fallbacks are over from here on. */
	| { type: 'start'; model: string; upstreamId: string }
	/** `text` is '' when the chunk carried only extras (a tool call's arguments, say). */
	| { type: 'delta'; text: string; extra?: DeltaExtra }
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
	stream(request: OrchestratorRequest): EventStream<OrchestratorEvent>;
}
