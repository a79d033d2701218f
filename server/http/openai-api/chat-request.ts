import { z } from 'zod';
import { ModelId } from '../../../src/lib/domain/model-id';
import type { UpstreamMessage, UpstreamParams } from '../../orchestrator/upstream-request';
import { ChatMessage, unansweredToolMessage } from './chat-messages';
import { FORWARDED_PARAM_NAMES, ForwardedParams } from './chat-params';
import { OpenAiApiError } from './errors';

const positiveInt = z.number().int().positive();

/**
 * OpenAI's chat request as Phosphor honours it (README: "What /v1 honours"). Strict: a field it
 * would not honour is a 400 naming it, never silently dropped. `models` is OpenRouter's list of
 * fallbacks, tried in order after `model`. A request without `model` gets the server's
 * DEFAULT_MODEL.
 */
export const ChatCompletionRequest = z
	.strictObject({
		model: ModelId.optional(),
		models: z.array(ModelId).max(10).optional(),
		messages: z.array(ChatMessage).min(1),
		stream: z.boolean().nullish(),
		stream_options: z.strictObject({ include_usage: z.boolean().nullish() }).nullish(),
		max_tokens: positiveInt.nullish(),
		max_completion_tokens: positiveInt.nullish(),
		temperature: z.number().min(0).max(2).nullish(),
		n: z.literal(1, { error: 'only n = 1 is supported; send one request per completion' }).nullish(),
		...ForwardedParams
	})
	.superRefine((request, ctx) => {
		const unanswered = unansweredToolMessage(request.messages);
		if (unanswered !== null) {
			ctx.addIssue({ code: 'custom', path: ['messages', unanswered, 'tool_call_id'], message: 'answers no tool call of an earlier assistant message' });
		}
		const names = (request.tools ?? []).map((tool) => tool.function.name);
		const duplicate = names.find((name, i) => names.indexOf(name) !== i);
		if (duplicate) ctx.addIssue({ code: 'custom', path: ['tools'], message: `two tools are named "${duplicate}"` });
		const choice = request.tool_choice;
		if (choice !== undefined && choice !== 'none' && names.length === 0) {
			ctx.addIssue({ code: 'custom', path: ['tool_choice'], message: 'needs `tools`' });
		}
		if (typeof choice === 'object' && !names.includes(choice.function.name)) {
			ctx.addIssue({ code: 'custom', path: ['tool_choice', 'function', 'name'], message: `"${choice.function.name}" is not one of the request's tools` });
		}
		if (request.top_logprobs != null && request.logprobs !== true) {
			ctx.addIssue({ code: 'custom', path: ['top_logprobs'], message: 'needs `logprobs: true`' });
		}
		const reasoning = request.reasoning;
		if (reasoning?.effort !== undefined && reasoning.max_tokens !== undefined) {
			ctx.addIssue({ code: 'custom', path: ['reasoning', 'max_tokens'], message: 'give `reasoning.effort` or `reasoning.max_tokens`, not both' });
		}
		// Reasoning tokens are output tokens, counted within max_tokens: a budget at or above it leaves no room for the answer.
		const cap = request.max_completion_tokens ?? request.max_tokens;
		if (reasoning?.max_tokens !== undefined && cap != null && reasoning.max_tokens >= cap) {
			ctx.addIssue({ code: 'custom', path: ['reasoning', 'max_tokens'], message: `must be less than max_tokens (${cap}): reasoning is output, counted within it` });
		}
	});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

/** Parses the body or throws a 400 whose message and `param` name the first bad field. */
export function parseChatRequest(body: unknown): ChatCompletionRequest {
	const result = ChatCompletionRequest.safeParse(body);
	if (result.success) return result.data;
	const issue = result.error.issues[0];
	if (!issue) throw invalid('Invalid request body.', null);
	if (issue.code === 'unrecognized_keys') {
		const param = [...issue.path, issue.keys[0] ?? ''].map(String).join('.');
		throw invalid(`${param}: not supported by this server, so not forwarded (see "What /v1 honours" in its README)`, param, 'unsupported_parameter');
	}
	const param = issue.path.length > 0 ? issue.path.map(String).join('.') : null;
	throw invalid(`${param ?? 'body'}: ${issue.message}`, param);
}

const invalid = (message: string, param: string | null, code = 'invalid_value') => new OpenAiApiError(400, 'invalid_request_error', message, code, param);

/** What the orchestrator sends upstream: the messages as validated, and the forwarded fields that carry a value. */
export function toUpstream(request: ChatCompletionRequest): { messages: UpstreamMessage[]; params: UpstreamParams } {
	const params: Record<string, unknown> = {};
	for (const name of FORWARDED_PARAM_NAMES) {
		const value = request[name];
		if (value !== undefined && value !== null) params[name] = value;
	}
	return { messages: request.messages, params };
}
