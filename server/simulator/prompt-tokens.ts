import type { ChatRequest } from './request-schema';
import { messageText } from './request-schema';
import { countPromptTokens, countTokens } from './tokens';

/**
 * A fixed count per image part, like a provider's tile pricing: well under Phosphor's
 * reservation estimate per image, as a real provider's is.
 */
export const IMAGE_TOKENS = 765;

/**
 * The prompt's tokens: each message's text (countPromptTokens), plus what a provider also puts in
 * the prompt: the assistant's tool calls, the tool definitions and a response schema (as JSON),
 * and images at a fixed count each.
 */
export function countRequestTokens(request: ChatRequest): number {
	let tokens = countPromptTokens(request.messages.map(messageText));
	for (const message of request.messages) {
		if (message.tool_calls) tokens += countTokens(JSON.stringify(message.tool_calls));
		if (Array.isArray(message.content)) tokens += message.content.filter((part) => part.type === 'image_url').length * IMAGE_TOKENS;
	}
	if (request.tools) tokens += countTokens(JSON.stringify(request.tools));
	if (request.response_format) tokens += countTokens(JSON.stringify(request.response_format));
	return tokens;
}
