import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PublicUser } from '../../auth/users';
import type { Services } from '../../services';
import { respondWithCompletion } from './chat-completion-json';
import { streamCompletion } from './chat-completion-sse';
import { parseChatRequest, toUpstream } from './chat-request';
import { unixSeconds } from './completion-shapes';
import { admitApiCall } from './metered-api-call';
import { readJsonBody } from './read-json-body';
import type { InFlightRequests } from './request-signal';

/** POST /v1/chat/completions: the same orchestrator, policies and budgets as the app's own replies. */
export async function chatCompletions(
	req: IncomingMessage,
	res: ServerResponse,
	user: PublicUser,
	services: Services,
	inFlight: InFlightRequests
): Promise<void> {
	const request = parseChatRequest(await readJsonBody(req));
	const model = request.model ?? services.upstream.config.defaultModel;
	const abort = inFlight.controllerFor(res);
	const events = await admitApiCall(services, {
		models: [model, ...(request.models ?? [])],
		...toUpstream(request),
		maxTokens: request.max_completion_tokens ?? request.max_tokens ?? undefined,
		temperature: request.temperature ?? undefined,
		userId: user.id,
		abort
	});
	const created = unixSeconds();
	if (request.stream) {
		await streamCompletion(res, events, { created, includeUsage: request.stream_options?.include_usage === true, requestedModel: model });
	} else {
		await respondWithCompletion(res, events, created);
	}
}
