import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimulatorContext } from './context';
import { sendError } from './errors';
import { handleChatCompletions } from './route-chat-completions';
import { handleGeneration } from './route-generation';
import { handleModels } from './route-models';

export const API_PREFIX = '/api/v1';

function authorised(ctx: SimulatorContext, req: IncomingMessage): boolean {
	if (ctx.requireKey === undefined) return true;
	return req.headers.authorization === `Bearer ${ctx.requireKey}`;
}

function methodNotAllowed(res: ServerResponse, allowed: string): void {
	sendError(res, 405, `Method not allowed; use ${allowed}`, { headers: { Allow: allowed } });
}

/** Routes under /api/v1 as OpenRouter has them; /models is public there, so it is here. */
export async function route(ctx: SimulatorContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
	const url = new URL(req.url ?? '/', 'http://simulator');
	ctx.stats.countRequest(url.pathname);
	switch (url.pathname) {
		case `${API_PREFIX}/models`:
			if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
			return handleModels(res);
		case `${API_PREFIX}/chat/completions`:
			if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
			if (!authorised(ctx, req)) return sendError(res, 401, 'No auth credentials found');
			return handleChatCompletions(ctx, req, res);
		case `${API_PREFIX}/generation`:
			if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
			if (!authorised(ctx, req)) return sendError(res, 401, 'No auth credentials found');
			return handleGeneration(ctx, url, res);
		default:
			return sendError(res, 404, `Not found: ${req.method ?? 'GET'} ${url.pathname}`);
	}
}
