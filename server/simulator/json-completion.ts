import { sleep } from './abortable';
import { PROVIDER_NAME } from './chunks';
import { settle, type CompletionRun } from './completion-run';
import { sendJson } from './http-io';
import { buildUsage } from './usage';

/** Non-streaming chat.completion; first-token-delay still delays it so timeouts can be tested. */
export async function respondWithCompletion(run: CompletionRun): Promise<void> {
	if (run.directives.firstTokenDelay) await sleep(run.directives.firstTokenDelay, run.signal);
	const toolCalls = run.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
	run.sentChars = run.text.length + run.toolCalls.reduce((sum, call) => sum + call.name.length + call.arguments.length, 0);
	const { completionTokens, billed } = settle(run, 'completed', run.finishReason);
	sendJson(
		run.res,
		200,
		{
			id: run.id,
			provider: PROVIDER_NAME,
			model: run.model.id,
			object: 'chat.completion',
			created: run.created,
			system_fingerprint: null,
			choices: [
				{
					index: 0,
					logprobs: null,
					finish_reason: run.finishReason,
					native_finish_reason: run.finishReason,
					message: {
						role: 'assistant',
						content: toolCalls.length > 0 ? null : run.text,
						refusal: null,
						reasoning: null,
						...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {})
					}
				}
			],
			usage: buildUsage(run.promptTokens, completionTokens, billed)
		},
		{ 'X-Generation-Id': run.id }
	);
}
