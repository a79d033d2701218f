import type { ServerResponse } from 'node:http';
import type { OrchestratorEvent } from '../../orchestrator/orchestrator-types';
import { sendJson } from '../health';
import { completionId, usageOf, type ChatCompletionBody } from './completion-shapes';
import { ReplyAssembly } from './reply-assembly';

/**
 * `stream: false`: reads the whole reply, then answers once. Any failure, before or after the
 * first token, propagates while no header is sent, so it becomes a proper HTTP error status.
 */
export async function respondWithCompletion(res: ServerResponse, events: AsyncIterable<OrchestratorEvent>, created: number): Promise<void> {
	const reply = new ReplyAssembly();
	let body: ChatCompletionBody | null = null;
	for await (const event of events) {
		if (event.type === 'delta') reply.add(event.text, event.extra);
		else if (event.type === 'finish') {
			body = {
				id: completionId(event.upstreamId),
				object: 'chat.completion',
				created,
				model: event.model,
				choices: [
					{
						index: 0,
						message: reply.message(),
						logprobs: reply.logprobs(),
						finish_reason: event.finishReason
					}
				],
				usage: usageOf(event)
			};
		}
	}
	if (!body) throw new Error('The reply ended without a finish event.');
	sendJson(res, 200, body);
}
