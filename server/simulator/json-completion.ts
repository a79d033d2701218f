import { sleep } from './abortable';
import { PROVIDER_NAME } from './chunks';
import { settle, type CompletionRun } from './completion-run';
import { sendJson } from './http-io';
import { splitIntoPieces } from './pieces';
import { logprobsOf } from './reply-extras';
import { buildUsage } from './usage';

/** Non-streaming chat.completion; first-token-delay still delays it so timeouts can be tested. */
export async function respondWithCompletion(run: CompletionRun): Promise<void> {
	if (run.directives.firstTokenDelay) await sleep(run.directives.firstTokenDelay, run.signal);
	const toolCalls = run.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
	const { reasoning, refusal, topLogprobs } = run.extras;
	run.sentChars = reasoning.length + run.text.length + run.toolCalls.reduce((sum, call) => sum + call.name.length + call.arguments.length, 0);
	const tokens = topLogprobs === null ? null : splitIntoPieces(run.text).map((piece) => logprobsOf(piece, topLogprobs));
	const content = toolCalls.length > 0 || refusal ? null : run.text;
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
					logprobs: tokens === null ? null : { content: refusal ? null : tokens, refusal: refusal ? tokens : null },
					finish_reason: run.finishReason,
					native_finish_reason: run.finishReason,
					message: {
						role: 'assistant',
						content,
						refusal: refusal ? run.text : null,
						reasoning: reasoning || null,
						...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {})
					}
				}
			],
			usage: buildUsage(run.promptTokens, completionTokens, billed)
		},
		{ 'X-Generation-Id': run.id }
	);
}
