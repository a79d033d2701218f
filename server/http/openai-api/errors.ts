import type { ServerResponse } from 'node:http';
import type { OrchestratorError } from '../../orchestrator/orchestrator-error';
import { sendJson } from '../health';

/** OpenAI's error envelope: the official SDKs read `type`, `code` and `param` from it. */
export interface OpenAiErrorBody {
	error: { message: string; type: string; param: string | null; code: string | null };
}

export class OpenAiApiError extends Error {
	override name = 'OpenAiApiError';
	constructor(
		readonly status: number,
		readonly type: string,
		message: string,
		readonly code: string | null = null,
		readonly param: string | null = null,
		/** E.g. Retry-After on a 429, Allow on a 405. */
		readonly headers: Record<string, string> = {}
	) {
		super(message);
	}

	get body(): OpenAiErrorBody {
		return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
	}
}

export const unauthorized = () =>
	new OpenAiApiError(
		401,
		'authentication_error',
		'Missing, unknown or revoked API token. Send "Authorization: Bearer phk_…"; create one with `npm run admin -- token create <user>`.',
		'invalid_api_key'
	);

/**
 * Each orchestrator failure kind as a status, type and code. The status is the kind's own
 * (`HTTP_STATUS_OF`) except where passing it on would mislead the caller: the provider refusing
 * *our* key is a server fault (502), not the caller's token (401), and 'cancelled' only reaches
 * a live caller when the server is shutting down (503).
 */
export function fromOrchestratorError(error: OrchestratorError): OpenAiApiError {
	const retryAfter = error.details.retryAfterSeconds;
	const headers: Record<string, string> = retryAfter === undefined ? {} : { 'Retry-After': String(Math.ceil(retryAfter)) };
	switch (error.kind) {
		case 'bad-request':
			return new OpenAiApiError(error.httpStatus, 'invalid_request_error', error.message, null);
		case 'unauthorized':
			return new OpenAiApiError(502, 'upstream_error', `${error.message} The server's upstream key was refused; tell the operator.`, 'upstream_auth_failed');
		case 'budget':
			return new OpenAiApiError(error.httpStatus, 'insufficient_quota', error.message, 'insufficient_quota');
		case 'forbidden':
			return new OpenAiApiError(error.httpStatus, 'permission_error', error.message, 'content_refused');
		case 'rate-limited':
			return new OpenAiApiError(error.httpStatus, 'rate_limit_error', error.message, 'rate_limit_exceeded', null, headers);
		case 'upstream':
			return new OpenAiApiError(error.httpStatus, 'upstream_error', error.message, 'upstream_error');
		case 'unavailable':
			return new OpenAiApiError(error.httpStatus, 'service_unavailable', error.message, 'model_unavailable', null, headers);
		case 'timeout':
			return new OpenAiApiError(error.httpStatus, 'timeout_error', error.message, 'upstream_timeout');
		case 'cancelled':
			return shuttingDown();
	}
}

export const shuttingDown = () => new OpenAiApiError(503, 'service_unavailable', 'The server is shutting down; retry shortly.', 'shutting_down');

export function sendOpenAiError(res: ServerResponse, error: OpenAiApiError): void {
	for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
	sendJson(res, error.status, error.body);
}
