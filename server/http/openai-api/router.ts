import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PublicUser } from '../../auth/users';
import type { Services } from '../../services';
import { OrchestratorError } from '../../orchestrator/orchestrator-error';
import { sendJson } from '../health';
import { authenticate } from './bearer-auth';
import { chatCompletions } from './chat-completions-route';
import { fromOrchestratorError, OpenAiApiError, sendOpenAiError, shuttingDown, unauthorized } from './errors';
import { listModels } from './model-catalog';
import { ClientGoneError } from './read-json-body';
import { InFlightRequests } from './request-signal';

type Handler = (req: IncomingMessage, res: ServerResponse, user: PublicUser) => Promise<void>;

/**
 * The OpenAI-compatible API under /v1 (docs/architecture.md#one-process), for the team's other tools. Bearer API
 * tokens only: no cookies, no CORS. Every error has OpenAI's shape, so the official SDKs raise
 * their usual typed errors.
 */
export function createOpenAiApi(services: Services, shutdown: AbortSignal) {
	const inFlight = new InFlightRequests(shutdown);
	const routes: Record<string, { method: string; handle: Handler }> = {
		'/v1/models': {
			method: 'GET',
			handle: async (_req, res) => {
				await services.metering.catalog.loaded();
				sendJson(res, 200, { object: 'list', data: listModels(services.metering.catalog) });
			}
		},
		'/v1/chat/completions': {
			method: 'POST',
			handle: (req, res, user) => chatCompletions(req, res, user, services, inFlight)
		}
	};

	return async function handleOpenAiApi(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
		res.setHeader('Cache-Control', 'no-store');
		try {
			if (inFlight.shuttingDown) throw shuttingDown();
			// Authenticate before anything else, so no one without a token learns which paths exist.
			const user = authenticate(req, services.db);
			if (!user) throw unauthorized();
			const route = routes[path];
			if (!route) throw new OpenAiApiError(404, 'invalid_request_error', `Unknown endpoint: ${req.method ?? 'GET'} ${path}`, 'unknown_url');
			if (req.method !== route.method) {
				throw new OpenAiApiError(405, 'invalid_request_error', `Use ${route.method} for ${path}.`, 'method_not_allowed', null, { Allow: route.method });
			}
			await route.handle(req, res, user);
		} catch (error) {
			respondWithError(services, req, res, error);
		}
	};
}

function respondWithError(services: Services, req: IncomingMessage, res: ServerResponse, error: unknown): void {
	if (error instanceof ClientGoneError) return;
	const apiError =
		error instanceof OpenAiApiError
			? error
			: error instanceof OrchestratorError
				? fromOrchestratorError(error)
				: new OpenAiApiError(500, 'server_error', 'The server failed to handle the request.', 'internal_error');
	const fields = { path: req.url, status: apiError.status, error };
	if (error instanceof OrchestratorError) {
		if (error.kind === 'cancelled') services.log.debug('v1: request cancelled', fields);
		else services.log.warn('v1: completion failed', fields);
	} else if (!(error instanceof OpenAiApiError)) {
		services.log.error('v1: unexpected error', fields);
	}
	// A stream that already answered 200 ended with its own error event; a gone client needs nothing.
	if (res.headersSent || res.destroyed) {
		if (!res.writableEnded) res.destroy();
		return;
	}
	sendOpenAiError(res, apiError);
}
