import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { deltaExtraOf } from './delta-extra';

/**
 * Most chunks of a stream are the same JSON but for their text: `{"id":"gen-1",…,"delta":
 * {"content":"…"},…}`. Once one such chunk has been parsed, the text around its content is kept
 * as a template; a later chunk that is that template around one JSON string literal is the same
 * chunk with other text, read without parsing the rest (parsing whole chunks was the largest
 * per-chunk cost in the profile, `npx tsx bench/profile/hot-path.ts 2000 100 1024`).
 *
 * Sound by construction: the template is only kept once parsing it with a probe string in the
 * slot gives back a text-only chunk carrying exactly that probe, so any JSON string literal in
 * the slot is the content and nothing else differs. Anything that does not match byte for byte
 * (a finish, usage, a tool call, another id) is parsed whole, as are streams whose chunks never
 * repeat their shape.
 */
export class ChunkTemplate {
	private constructor(
		readonly before: string,
		readonly after: string,
		private readonly chunk: ChatCompletionChunk
	) {}

	/** The template of a chunk parsed from `data`, or null when it has none (not text only, text not found once, or not verified). */
	static learn(data: string, chunk: ChatCompletionChunk): ChunkTemplate | null {
		const content = textOnly(chunk);
		if (content === null) return null;
		const slot = `"content":${JSON.stringify(content)}`;
		const at = data.indexOf(slot);
		if (at === -1 || data.indexOf(slot, at + 1) !== -1) return null;
		const before = data.slice(0, at + '"content":'.length);
		const after = data.slice(at + slot.length);
		try {
			if (textOnly(JSON.parse(`${before}${JSON.stringify(PROBE)}${after}`) as ChatCompletionChunk) !== PROBE) return null;
		} catch {
			return null;
		}
		return new ChunkTemplate(before, after, chunk);
	}

	/** The chunk `data` stands for, or null when it does not fit the template (then parse it whole). */
	read(data: string): ChatCompletionChunk | null {
		const { before, after } = this;
		if (data.length < before.length + after.length + 2 || !data.startsWith(before) || !data.endsWith(after)) return null;
		const literal = data.slice(before.length, data.length - after.length);
		const content = stringLiteral(literal);
		if (content === null || content === '') return null;
		const { id, object, created, model } = this.chunk;
		return { id, object, created, model, choices: [{ index: 0, delta: { content }, finish_reason: null, logprobs: null }] };
	}
}

/** Unlikely in a reply, and escaped in JSON: a slot that gives it back holds exactly a string. */
const PROBE = '\u0000\u2028probe"\\';

/** The text of a chunk that carries only text (one choice, no finish, usage or extras), else null. */
function textOnly(chunk: ChatCompletionChunk & { usage?: unknown }): string | null {
	if (!chunk || typeof chunk !== 'object' || !Array.isArray(chunk.choices) || chunk.choices.length !== 1 || chunk.usage != null) return null;
	const choice = chunk.choices[0];
	if (!choice || choice.finish_reason != null || typeof choice.delta?.content !== 'string' || choice.delta.content === '') return null;
	return deltaExtraOf(choice) ? null : choice.delta.content;
}

/** The value of one JSON string literal, or null when `literal` is anything else. */
function stringLiteral(literal: string): string | null {
	if (literal.charCodeAt(0) !== 34 || literal.charCodeAt(literal.length - 1) !== 34) return null;
	// The common case: nothing escaped. A quote, a backslash or a control character inside needs the real parser.
	let plain = true;
	for (let i = literal.length - 2; i > 0; i--) {
		const c = literal.charCodeAt(i);
		if (c === 34 || c === 92 || c < 32) {
			plain = false;
			break;
		}
	}
	if (plain) return literal.slice(1, -1);
	try {
		const value: unknown = JSON.parse(literal);
		return typeof value === 'string' ? value : null;
	} catch {
		return null;
	}
}
