import type { Directives } from './directives';
import { sampleJson } from './json-value';
import { createRng, hashString } from './prng';
import { generateReply } from './reply';
import type { ChatMessage, ChatRequest } from './request-schema';
import { messageText } from './request-schema';

export interface SimToolCall {
	id: string;
	name: string;
	/** JSON text, streamed in pieces like content. */
	arguments: string;
}

/** What the simulated model answers: text, or calls to the request's tools. */
export type PlannedReply = { kind: 'text'; text: string } | { kind: 'tools'; calls: SimToolCall[] };

export type PlanResult = { ok: true; reply: PlannedReply } | { ok: false; error: string };

interface PlanInput {
	request: ChatRequest;
	directives: Directives;
	seed: number;
	/** The last user message with directives removed. */
	prompt: string;
	/** Reply length in characters, when the directives set one. */
	length?: number;
}

/**
 * Decides the reply, deterministically: the results of the tool calls just answered are echoed
 * back (so the loop ends); otherwise the tools named by a `tool=` directive, a `tool_choice`
 * naming a function, or the first tool under `tool_choice: "required"` are called, with arguments
 * that fit their parameter schemas; otherwise text, as JSON under `response_format`.
 */
export function planReply(input: PlanInput): PlanResult {
	const { request } = input;
	const trailing = trailingToolResults(request.messages);
	if (trailing.length > 0) return { ok: true, reply: { kind: 'text', text: echoResults(request.messages, trailing) } };

	const names = toolsToCall(request, input.directives);
	if (names.length > 0) {
		const tools = request.tools ?? [];
		const calls: SimToolCall[] = [];
		for (const [index, name] of names.entries()) {
			const tool = tools.find((t) => t.function.name === name);
			if (!tool) return { ok: false, error: `Tool "${name}" is not among the request's tools (${tools.map((t) => t.function.name).join(', ') || 'none'})` };
			const rng = createRng(hashString(`${input.seed}\u0000${name}\u0000${index}\u0000${input.prompt}`));
			const id = `call_${hashString(`${input.seed}\u0000${request.messages.length}\u0000${index}\u0000${name}`).toString(36)}${index}`;
			calls.push({ id, name, arguments: JSON.stringify(sampleJson(tool.function.parameters ?? { type: 'object' }, rng)) });
		}
		return { ok: true, reply: { kind: 'tools', calls: request.parallel_tool_calls === false ? calls.slice(0, 1) : calls } };
	}

	const format = request.response_format;
	if (format?.type === 'json_schema' || format?.type === 'json_object') {
		const rng = createRng(hashString(`${input.seed}\u0000${request.model}\u0000${input.prompt}`));
		const schema = format.type === 'json_schema' ? (format.json_schema?.schema ?? { type: 'object' }) : ANSWER_SCHEMA;
		return { ok: true, reply: { kind: 'text', text: JSON.stringify(sampleJson(schema, rng)) } };
	}

	const text = generateReply({
		seed: input.seed,
		model: request.model,
		prompt: input.prompt,
		...(input.length === undefined ? {} : { length: input.length }),
		...(input.directives.echo ? { echo: true } : {})
	});
	return { ok: true, reply: { kind: 'text', text } };
}

const ANSWER_SCHEMA = { type: 'object', properties: { answer: { type: 'string' }, confidence: { type: 'number', minimum: 0, maximum: 1 } } };

function toolsToCall(request: ChatRequest, directives: Directives): string[] {
	const choice = request.tool_choice;
	if (choice === 'none') return [];
	if (directives.tool) return directives.tool;
	if (typeof choice === 'object') return [choice.function.name];
	const first = request.tools?.[0];
	return choice === 'required' && first ? [first.function.name] : [];
}

/** The tool messages at the end of the conversation: the results of the last round of calls. */
function trailingToolResults(messages: readonly ChatMessage[]): ChatMessage[] {
	let start = messages.length;
	while (start > 0 && messages[start - 1]?.role === 'tool') start--;
	return messages.slice(start);
}

function echoResults(messages: readonly ChatMessage[], results: readonly ChatMessage[]): string {
	const names = new Map<string, string>();
	for (const message of messages) for (const call of message.tool_calls ?? []) names.set(call.id, call.function.name);
	const lines = results.map((result) => `- ${names.get(result.tool_call_id ?? '') ?? 'unknown tool'} returned: ${messageText(result)}`);
	return ['Tool results:', ...lines].join('\n');
}
