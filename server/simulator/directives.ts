/**
 * Simulator directives: `[[sim:name=value other]]` blocks in the last user message, or the same
 * list without brackets in the `X-Sim-Fault` header. Items are separated by commas and/or spaces.
 * Pure: no I/O, so every syntax rule is unit-tested here.
 */
export interface Directives {
	/** Reply length in characters (exact). */
	len?: number;
	/** Milliseconds between content chunks. */
	delay?: number;
	/** Names the fail-times counter; default is the message text plus the header. */
	key?: string;
	/** Reply with the user's text verbatim (directives removed), e.g. to inject hostile markup. */
	echo?: boolean;
	/** The first N GET /generation lookups of this generation answer 404. */
	lookup404?: number;
	/** HTTP error with OpenRouter's error JSON instead of a completion (400–599). */
	status?: number;
	/** Retry-After header (seconds) on a status error. */
	retryAfter?: number;
	/** Only the first K requests with the same key get the faults; later ones are clean. */
	failTimes?: number;
	/** Read the request, never send headers; ends only when the client (or close()) cuts it. */
	hang?: boolean;
	/** Send N content chunks, then nothing at all (no keep-alives) with the socket left open. */
	stallAfter?: number;
	/** After N content chunks, an OpenRouter mid-stream error chunk, then the stream ends (no [DONE]). */
	errorChunk?: number;
	/** After N content chunks, a TCP reset. */
	resetAfter?: number;
	/** Normal content and finish chunk, then close without the usage chunk and [DONE]. */
	noDone?: boolean;
	/** One character per chunk, this many milliseconds apart. */
	trickle?: number;
	/** CRLF line endings in the SSE framing. */
	crlf?: boolean;
	/** Every event written in pieces of 1–7 bytes, one event-loop turn apart. */
	split?: boolean;
	/** An invalid-JSON data event before content chunk N (then the stream carries on). */
	malformed?: number;
	/** The first content chunk carries this many characters. */
	bigEvent?: number;
	/** Number of processing comments sent right after the headers (default 1). */
	keepalive?: number;
	/** Milliseconds between processing comments during first-token-delay (default 100). */
	keepaliveInterval?: number;
	/** Milliseconds before the first content chunk (or the non-streamed body). */
	firstTokenDelay?: number;
	/** Stream a short reasoning text (`delta.reasoning`) before the reply. */
	reasoning?: boolean;
	/** The reply is a refusal: sent in `refusal` instead of `content`. */
	refusal?: boolean;
	/** Reply with calls to these tools of the request (`tool=get_weather` or `tool=a+b` for parallel calls). */
	tool?: string[];
}

type NumberField = {
	[K in keyof Directives]-?: Required<Directives>[K] extends number ? K : never;
}[keyof Directives];
type ListField = {
	[K in keyof Directives]-?: Required<Directives>[K] extends string[] ? K : never;
}[keyof Directives];
type FlagField = {
	[K in keyof Directives]-?: Required<Directives>[K] extends boolean ? K : never;
}[keyof Directives];

type Spec =
	| { kind: 'flag'; field: FlagField }
	/** `fallback` is used when the name comes without a value; absent means a value is required. */
	| { kind: 'int'; field: NumberField; min: number; max: number; fallback?: number }
	| { kind: 'key'; field: 'key' }
	/** Function names joined by "+". */
	| { kind: 'names'; field: ListField };

const MINUTE_MS = 60_000;

const SPECS: Record<string, Spec> = {
	len: { kind: 'int', field: 'len', min: 0, max: 50_000_000 },
	delay: { kind: 'int', field: 'delay', min: 0, max: MINUTE_MS },
	key: { kind: 'key', field: 'key' },
	echo: { kind: 'flag', field: 'echo' },
	'lookup-404': { kind: 'int', field: 'lookup404', min: 0, max: 1_000, fallback: 1 },
	status: { kind: 'int', field: 'status', min: 400, max: 599 },
	'retry-after': { kind: 'int', field: 'retryAfter', min: 0, max: 86_400 },
	'fail-times': { kind: 'int', field: 'failTimes', min: 0, max: 1_000_000, fallback: 1 },
	hang: { kind: 'flag', field: 'hang' },
	'stall-after': { kind: 'int', field: 'stallAfter', min: 0, max: 10_000_000, fallback: 3 },
	'error-chunk': { kind: 'int', field: 'errorChunk', min: 0, max: 10_000_000, fallback: 3 },
	'reset-after': { kind: 'int', field: 'resetAfter', min: 0, max: 10_000_000, fallback: 3 },
	'no-done': { kind: 'flag', field: 'noDone' },
	trickle: { kind: 'int', field: 'trickle', min: 0, max: MINUTE_MS, fallback: 200 },
	crlf: { kind: 'flag', field: 'crlf' },
	split: { kind: 'flag', field: 'split' },
	malformed: { kind: 'int', field: 'malformed', min: 0, max: 10_000_000, fallback: 2 },
	'big-event': { kind: 'int', field: 'bigEvent', min: 1, max: 50_000_000, fallback: 1_000_000 },
	keepalive: { kind: 'int', field: 'keepalive', min: 0, max: 100_000 },
	'keepalive-interval': { kind: 'int', field: 'keepaliveInterval', min: 1, max: MINUTE_MS },
	'first-token-delay': { kind: 'int', field: 'firstTokenDelay', min: 0, max: 10 * MINUTE_MS },
	tool: { kind: 'names', field: 'tool' },
	reasoning: { kind: 'flag', field: 'reasoning' },
	refusal: { kind: 'flag', field: 'refusal' }
};

export const DIRECTIVE_NAMES: readonly string[] = Object.keys(SPECS);

/** Fields that shape the reply rather than break it; fail-times never switches these off. */
const CONTENT_FIELDS: ReadonlySet<keyof Directives> = new Set<keyof Directives>(['len', 'delay', 'key', 'echo', 'lookup404', 'tool', 'reasoning', 'refusal']);

export type DirectiveResult = { ok: true; directives: Directives } | { ok: false; error: string };

/** Parses `status=502,retry-after=2 hang` (the X-Sim-Fault header form). */
export function parseDirectiveList(list: string): DirectiveResult {
	const directives: Directives = {};
	for (const item of list.split(/[\s,]+/)) {
		if (item === '') continue;
		const error = applyItem(directives, item);
		if (error) return { ok: false, error };
	}
	return { ok: true, directives };
}

function applyItem(directives: Directives, item: string): string | undefined {
	const equals = item.indexOf('=');
	const name = (equals === -1 ? item : item.slice(0, equals)).toLowerCase();
	const value = equals === -1 ? undefined : item.slice(equals + 1);
	const spec = SPECS[name];
	if (!spec) return `Unknown simulator directive "${name}" (known: ${DIRECTIVE_NAMES.join(', ')})`;
	if (spec.kind === 'flag') {
		if (value !== undefined) return `Simulator directive "${name}" takes no value`;
		directives[spec.field] = true;
		return undefined;
	}
	if (spec.kind === 'key') {
		if (value === undefined || !/^[\w.:-]{1,128}$/.test(value)) {
			return `Simulator directive "key" needs a value of letters, digits, "_", ".", ":" or "-"`;
		}
		directives.key = value;
		return undefined;
	}
	if (spec.kind === 'names') {
		const names = value?.split('+') ?? [];
		if (names.length === 0 || names.some((n) => !/^[\w-]{1,64}$/.test(n))) {
			return `Simulator directive "${name}" needs function names joined by "+", e.g. ${name}=get_weather`;
		}
		directives[spec.field] = names;
		return undefined;
	}
	if (value === undefined) {
		if (spec.fallback === undefined) return `Simulator directive "${name}" needs a value, e.g. ${name}=${spec.min}`;
		directives[spec.field] = spec.fallback;
		return undefined;
	}
	if (!/^\d+$/.test(value)) return `Simulator directive "${name}" needs a whole number, got "${value}"`;
	const number = Number(value);
	if (number < spec.min || number > spec.max) {
		return `Simulator directive "${name}" must be between ${spec.min} and ${spec.max}, got ${value}`;
	}
	directives[spec.field] = number;
	return undefined;
}

const BLOCK = /\[\[sim:([^\]]*)\]\]/gi;

export type ExtractResult = { ok: true; directives: Directives; text: string } | { ok: false; error: string };

/**
 * Finds every `[[sim:...]]` block in a message (later blocks override earlier ones) and returns the
 * text without them, trimmed, so `[[sim:delay=5]] hi` replies exactly like `hi`.
 */
export function extractDirectives(message: string): ExtractResult {
	let directives: Directives = {};
	let found = false;
	for (const match of message.matchAll(BLOCK)) {
		found = true;
		const parsed = parseDirectiveList(match[1] ?? '');
		if (!parsed.ok) return parsed;
		directives = mergeDirectives(directives, parsed.directives);
	}
	const text = found ? message.replace(BLOCK, '').trim() : message;
	return { ok: true, directives, text };
}

export function mergeDirectives(base: Directives, override: Directives): Directives {
	return { ...base, ...override };
}

/** What is left once fail-times has used up its failures: the reply shape, no faults. */
export function withoutFaults(directives: Directives): Directives {
	const kept: Directives = {};
	for (const [field, value] of Object.entries(directives) as [keyof Directives, unknown][]) {
		if (CONTENT_FIELDS.has(field)) Object.assign(kept, { [field]: value });
	}
	return kept;
}

export function hasFaults(directives: Directives): boolean {
	return Object.keys(directives).some((field) => !CONTENT_FIELDS.has(field as keyof Directives));
}
