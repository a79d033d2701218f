/** What went wrong, in the terms a client can act on; each maps to one HTTP status on /v1. */
export type FailureKind =
	| 'bad-request' // 400: the request itself is wrong (unknown model, bad parameters)
	| 'unauthorized' // 401: the upstream refused our key
	| 'budget' // 402: a budget or the provider's credits are exhausted
	| 'forbidden' // 403: moderation or a policy refused it
	| 'rate-limited' // 429
	| 'upstream' // 502: the provider failed (5xx, error chunk, reset, malformed stream)
	| 'unavailable' // 503: every model's circuit is open or no model is available
	| 'timeout' // 504: no first token in time, or the stream went idle
	| 'cancelled'; // 499: the caller aborted

export const HTTP_STATUS_OF: Record<FailureKind, number> = {
	'bad-request': 400,
	unauthorized: 401,
	budget: 402,
	forbidden: 403,
	'rate-limited': 429,
	upstream: 502,
	unavailable: 503,
	timeout: 504,
	cancelled: 499
};

export class OrchestratorError extends Error {
	override name = 'OrchestratorError';
	constructor(
		readonly kind: FailureKind,
		/** A sentence for a person: what happened and, where possible, what to do. */
		message: string,
		readonly details: { status?: number; model?: string; retryAfterSeconds?: number; afterFirstToken?: boolean } = {},
		options?: { cause?: unknown }
	) {
		super(message, options);
	}

	get httpStatus(): number {
		return HTTP_STATUS_OF[this.kind];
	}
}
