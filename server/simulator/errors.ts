import type { ServerResponse } from 'node:http';
import { PROVIDER_NAME } from './chunks';
import { sendJson } from './http-io';

/** OpenRouter's (and OpenAI's) error envelope. */
export interface ErrorBody {
	error: { code: number; message: string; metadata?: Record<string, unknown> };
}

export function sendError(
	res: ServerResponse,
	code: number,
	message: string,
	options: { metadata?: Record<string, unknown>; headers?: Record<string, string> } = {}
): void {
	const body: ErrorBody = { error: { code, message, ...(options.metadata ? { metadata: options.metadata } : {}) } };
	sendJson(res, code, body, options.headers);
}

/** Messages modelled on what OpenRouter says for each status, so error text in the UI looks real. */
export function simulatedError(code: number, model: string): { message: string; metadata?: Record<string, unknown> } {
	const raw = { provider_name: PROVIDER_NAME, raw: `simulated ${code}` };
	switch (code) {
		case 400:
			return { message: 'Provider returned error: invalid request (simulated)', metadata: raw };
		case 401:
			return { message: 'No auth credentials found' };
		case 402:
			return { message: 'Insufficient credits. Add more credits to continue (simulated).' };
		case 403:
			return {
				message: `${model} requires moderation: input was flagged`,
				metadata: { reasons: ['simulated'], flagged_input: '…', provider_name: PROVIDER_NAME, model_slug: model }
			};
		case 404:
			return { message: `No endpoints found for ${model}.` };
		case 408:
			return { message: 'Request timed out (simulated)' };
		case 429:
			return { message: `${model} is temporarily rate-limited upstream (simulated).`, metadata: raw };
		case 500:
			return { message: 'Internal Server Error (simulated)' };
		case 502:
			return { message: 'Provider returned error (simulated)', metadata: raw };
		case 503:
			return { message: `No endpoints available for ${model} right now (simulated).` };
		default:
			return { message: `Simulated upstream error ${code}`, metadata: raw };
	}
}
