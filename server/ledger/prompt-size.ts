import type { UpstreamMessage, UpstreamParams } from '../orchestrator/upstream-request';

/**
 * Tokens reserved per image part, whatever its size or detail: above what the common vision
 * models charge for their largest image (OpenAI's high detail ~1.5k, its patch-based models
 * ~2.5k, Anthropic ~1.6k, Gemini 258). An image's URL or base64 data says nothing about its
 * tokens, so its length is never counted.
 */
export const IMAGE_PART_TOKENS = 3_000;
/** Per tool definition, for the framing a provider wraps around each one in the prompt. */
export const TOOL_DEFINITION_TOKENS = 16;

/** What a prompt holds, by what its tokens are estimated from. */
export interface PromptSize {
	/** Characters of text: message text, names, tool calls and results, tool schemas, response schema. */
	chars: number;
	images: number;
	tools: number;
}

/** Sizes the messages and the request fields that reach the prompt (tools, response_format, …). */
export function promptSize(messages: readonly UpstreamMessage[], params?: UpstreamParams): PromptSize {
	const size: PromptSize = { chars: 0, images: 0, tools: 0 };
	for (const message of messages) {
		addContent(size, message.content);
		if ('name' in message && typeof message.name === 'string') size.chars += message.name.length;
		if (message.role === 'assistant' && message.tool_calls) size.chars += JSON.stringify(message.tool_calls).length;
		if (message.role === 'assistant' && typeof message.refusal === 'string') size.chars += message.refusal.length;
		if (message.role === 'tool') size.chars += message.tool_call_id.length;
	}
	if (params) {
		// Tool schemas, a json_schema, stop sequences: counted as their JSON, punctuation and all.
		size.chars += JSON.stringify(params).length;
		if (Array.isArray(params['tools'])) size.tools = params['tools'].length;
	}
	return size;
}

function addContent(size: PromptSize, content: UpstreamMessage['content']): void {
	if (content == null) return;
	if (typeof content === 'string') {
		size.chars += content.length;
		return;
	}
	for (const part of content) {
		if (part.type === 'text') size.chars += part.text.length;
		else if (part.type === 'refusal') size.chars += part.refusal.length;
		else if (part.type === 'image_url') size.images++;
		// Parts /v1 does not accept (audio, files) cannot arrive; counted whole should one ever do.
		else size.chars += JSON.stringify(part).length;
	}
}
