import { z } from 'zod';
import { ModelId } from '../../../src/lib/domain/model-id';
import type { ChatTurn } from '../../orchestrator/upstream';
import { OpenAiApiError } from './errors';

const TextPart = z.object({ type: z.literal('text'), text: z.string() });

const Message = z.object({
	role: z.enum(['system', 'user', 'assistant']),
	content: z.union([z.string(), z.array(TextPart).min(1)], {
		error: 'must be a string or an array of {"type":"text","text":…} parts (only text is supported)'
	}),
	name: z.string().optional()
});

const positiveInt = z.number().int().positive();

/**
 * The part of OpenAI's chat request Phosphor honours. Other fields (top_p, tools, …) are ignored,
 * as OpenRouter ignores what a model does not support. `models` is OpenRouter's non-standard
 * list of fallbacks, tried in order after `model`. A request without `model` gets the server's
 * DEFAULT_MODEL.
 */
export const ChatCompletionRequest = z.object({
	model: ModelId.optional(),
	models: z.array(ModelId).max(10).optional(),
	messages: z.array(Message).min(1),
	stream: z.boolean().nullish(),
	stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
	max_tokens: positiveInt.nullish(),
	max_completion_tokens: positiveInt.nullish(),
	temperature: z.number().min(0).max(2).nullish()
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

/** Parses the body or throws a 400 whose message and `param` name the first bad field. */
export function parseChatRequest(body: unknown): ChatCompletionRequest {
	const result = ChatCompletionRequest.safeParse(body);
	if (result.success) return result.data;
	const issue = result.error.issues[0];
	const param = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : null;
	const message = issue ? `${param ?? 'body'}: ${issue.message}` : 'Invalid request body.';
	throw new OpenAiApiError(400, 'invalid_request_error', message, 'invalid_value', param);
}

/** Text parts are joined with newlines: the upstream request carries plain-string turns. */
export function toTurns(messages: ChatCompletionRequest['messages']): ChatTurn[] {
	return messages.map(({ role, content }) => ({
		role,
		content: typeof content === 'string' ? content : content.map((part) => part.text).join('\n')
	}));
}
