import { z } from 'zod';

const ContentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

const ToolCall = z.looseObject({ id: z.string(), function: z.looseObject({ name: z.string(), arguments: z.string() }) });

const Message = z.looseObject({
	role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
	content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
	tool_calls: z.array(ToolCall).optional(),
	tool_call_id: z.string().optional()
});

const JsonSchema = z.record(z.string(), z.unknown());

const Tool = z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string(), parameters: JsonSchema.optional() }) });

/** The subset of OpenRouter's chat request the simulator reads; other fields pass through unchecked. */
export const ChatRequestSchema = z.looseObject({
	model: z.string().min(1),
	messages: z.array(Message).min(1),
	stream: z.boolean().optional(),
	max_tokens: z.number().int().positive().optional(),
	max_completion_tokens: z.number().int().positive().optional(),
	seed: z.number().int().optional(),
	stream_options: z.looseObject({ include_usage: z.boolean().optional() }).optional(),
	usage: z.looseObject({ include: z.boolean().optional() }).optional(),
	tools: z.array(Tool).optional(),
	tool_choice: z.union([z.enum(['none', 'auto', 'required']), z.looseObject({ function: z.looseObject({ name: z.string() }) })]).optional(),
	parallel_tool_calls: z.boolean().optional(),
	logprobs: z.boolean().optional(),
	top_logprobs: z.number().int().min(0).max(20).optional(),
	response_format: z
		.looseObject({ type: z.enum(['text', 'json_object', 'json_schema']), json_schema: z.looseObject({ schema: JsonSchema.optional() }).optional() })
		.optional()
});

export type ChatRequest = z.infer<typeof ChatRequestSchema>;
export type ChatMessage = ChatRequest['messages'][number];

export function messageText(message: ChatMessage): string {
	const content = message.content;
	if (typeof content === 'string') return content;
	if (!content) return '';
	return content.map((part) => part.text ?? '').join('');
}

/** Directives and the reply key off the last user message (the last message if there is no user turn). */
export function lastUserText(messages: readonly ChatMessage[]): string {
	for (let i = messages.length - 1; i >= 0; i--) {
		const message = messages[i];
		if (message?.role === 'user') return messageText(message);
	}
	const last = messages.at(-1);
	return last ? messageText(last) : '';
}
