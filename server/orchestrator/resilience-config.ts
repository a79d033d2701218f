/** The resilience limits (docs/architecture.md#resilience); every one is an environment variable (server/env.ts). */
export interface ResilienceConfig {
	/** From sending the request to the first token. */
	firstTokenTimeoutMs: number;
	/** Longest silence between two chunks once the reply has started. */
	idleTimeoutMs: number;
	/** Further attempts per model before the first token (0 = no retry). */
	maxRetries: number;
	/** First retry delay; doubles per attempt, with jitter. */
	retryBaseDelayMs: number;
	/** A Retry-After longer than this is not waited for: the next model is tried instead. */
	maxRetryAfterMs: number;
	/** Consecutive failures of one model that open its circuit. */
	breakerThreshold: number;
	/** How long an open circuit rejects before one probe may pass. */
	breakerHalfOpenAfterMs: number;
	/** Tried in order after the requested model when a request names no fallbacks. */
	fallbackModels: string[];
}
