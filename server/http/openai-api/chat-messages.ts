import { z } from 'zod';

/**
 * The messages of a /v1 chat request, as OpenAI's chat completions take them and OpenRouter
 * passes them on. Objects are strict: a field Phosphor would not forward is a 400, not dropped.
 */

/** OpenRouter passes Anthropic's prompt-caching marker on text parts through to the provider. */
const CacheControl = z.strictObject({ type: z.literal('ephemeral'), ttl: z.string().optional() });

const TextPart = z.strictObject({ type: z.literal('text'), text: z.string(), cache_control: CacheControl.optional() });
const RefusalPart = z.strictObject({ type: z.literal('refusal'), refusal: z.string() });

/** The provider fetches an https image, never this server (an image URL is user-supplied). */
const ImageUrl = z
	.string()
	.refine((url) => /^data:image\/[\w.+-]+;base64,/i.test(url) || /^https:\/\/[^\s/]+/i.test(url), {
		error: 'must be an https:// URL or a data:image/…;base64,… URL'
	});
const ImagePart = z.strictObject({
	type: z.literal('image_url'),
	image_url: z.strictObject({ url: ImageUrl, detail: z.enum(['auto', 'low', 'high']).optional() })
});

const partsOf = <T extends z.ZodType>(part: T, kinds: string) =>
	z.array(part, { error: `each part must be ${kinds}` }).min(1);

const TextContent = z.union([z.string(), partsOf(TextPart, 'a {"type":"text","text":…} part')], {
	error: 'must be a string or an array of {"type":"text","text":…} parts'
});

const UserContent = z.union([z.string(), partsOf(z.discriminatedUnion('type', [TextPart, ImagePart]), 'a text or image_url part')], {
	error: 'must be a string or an array of text and image_url parts'
});

const name = z.string().min(1).max(256).optional();

export const ToolCall = z.strictObject({
	id: z.string().min(1),
	type: z.literal('function'),
	function: z.strictObject({ name: z.string().min(1), arguments: z.string() }),
	/** Gemini's thought signature, which OpenAI-compatible clients echo back (via OpenRouter). */
	extra_content: z.record(z.string(), z.unknown()).optional(),
	/** Added by the openai SDK's stream and parse helpers; dropped (see RESPONSE_ONLY). */
	parsed_arguments: z.unknown().optional()
});

/**
 * Fields of a *response* message that agents send back as they got them (the openai SDK's
 * helpers add `parsed`): accepted so a reply can be appended to the history unchanged, and not
 * forwarded, as they are no part of a request.
 */
const RESPONSE_ONLY = {
	parsed: z.unknown().optional(),
	annotations: z.array(z.unknown()).optional(),
	audio: z.null().optional(),
	function_call: z.null().optional()
};

const SystemMessage = z.strictObject({ role: z.literal('system'), content: TextContent, name });
const DeveloperMessage = z.strictObject({ role: z.literal('developer'), content: TextContent, name });
const UserMessage = z.strictObject({ role: z.literal('user'), content: UserContent, name });
const AssistantMessage = z
	.strictObject({
		role: z.literal('assistant'),
		content: z
			.union([z.string(), partsOf(z.discriminatedUnion('type', [TextPart, RefusalPart]), 'a text or refusal part')], {
				error: 'must be a string, null, or an array of text and refusal parts'
			})
			.nullish(),
		name,
		refusal: z.string().nullish(),
		tool_calls: z.array(ToolCall).min(1).optional(),
		/** A reasoning model's earlier reasoning, sent back so it can continue from it (OpenRouter). */
		reasoning: z.string().nullish(),
		reasoning_content: z.string().nullish(),
		reasoning_details: z.array(z.looseObject({ type: z.string() })).optional(),
		...RESPONSE_ONLY
	})
	.refine((m) => (m.content != null && m.content !== '') || m.tool_calls !== undefined || m.refusal != null, {
		error: 'an assistant message needs content, tool_calls or refusal',
		path: ['content']
	})
	.transform(({ parsed: _p, annotations: _a, audio: _au, function_call: _f, tool_calls, ...message }) => ({
		...message,
		tool_calls: tool_calls?.map(({ parsed_arguments: _pa, ...call }) => call)
	}));
const ToolMessage = z.strictObject({ role: z.literal('tool'), content: TextContent, tool_call_id: z.string().min(1) });

export const ChatMessage = z.discriminatedUnion('role', [SystemMessage, DeveloperMessage, UserMessage, AssistantMessage, ToolMessage], {
	error: 'role must be one of system, developer, user, assistant, tool'
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/**
 * Each tool message must answer a tool call of an earlier assistant message: a provider would
 * refuse it anyway, with an error naming no field. Returns the index of the first one that does not.
 */
export function unansweredToolMessage(messages: readonly ChatMessage[]): number | null {
	const calls = new Set<string>();
	for (const [index, message] of messages.entries()) {
		if (message.role === 'assistant') for (const call of message.tool_calls ?? []) calls.add(call.id);
		if (message.role === 'tool' && !calls.has(message.tool_call_id)) return index;
	}
	return null;
}
