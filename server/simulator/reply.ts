import { createRng, hashString, intBetween, pick, type Rng } from './prng';

export interface ReplyInput {
	seed: number;
	model: string;
	/** The last user message with directives removed. */
	prompt: string;
	/** Exact length in characters; default is a short answer of roughly 300–800 characters. */
	length?: number;
	/** Reply with the prompt itself. */
	echo?: boolean;
}

// Non-ASCII letters are deliberate: they catch byte/char confusion in SSE decoding and splitting.
// Everything stays in the Basic Multilingual Plane so slicing never cuts a surrogate pair.
const ADJECTIVES = ['durable', 'naïve', 'bounded', 'lazy', 'eager', 'stale', 'atomic', 'idempotent', 'résumé-safe'];
const NOUNS = ['queue', 'ledger', 'cursor', 'snapshot', 'replica', 'outbox', 'breaker', 'payload', 'café', 'index'];
const VERBS = ['batches', 'retries', 'settles', 'reconciles', 'streams', 'indexes', 'compresses', 'replays'];
const TOPICS = ['Stream backpressure', 'Offline sync', 'Budget ledgers', 'Circuit breakers', 'Token accounting', 'Cache warm-up'];
const LINKS = ['https://example.com/docs/streams', 'https://example.org/guide#retries', 'https://example.net/ledger?view=all'];
const MARKS = ['—', '→', '✓', '…'];

function word(rng: Rng): string {
	return pick(rng, rng() < 0.5 ? ADJECTIVES : NOUNS);
}

function sentence(rng: Rng): string {
	const subject = `${pick(rng, ADJECTIVES)} ${pick(rng, NOUNS)}`;
	const styled = [`**${word(rng)}**`, `*${word(rng)}*`, `\`${pick(rng, NOUNS)}()\``, `[${pick(rng, NOUNS)}](${pick(rng, LINKS)})`];
	const text = `The ${subject} ${pick(rng, VERBS)} the ${pick(rng, styled)} ${pick(rng, MARKS)} ${pick(rng, VERBS)} ${word(rng)} data`;
	return `${text}.`;
}

function heading(rng: Rng, level: 2 | 3): string {
	return `${'#'.repeat(level)} ${pick(rng, TOPICS)} ${pick(rng, MARKS)} ${pick(rng, NOUNS)}`;
}

function bullets(rng: Rng): string {
	return [0, 1, 2].map(() => `- **${pick(rng, NOUNS)}**: ${pick(rng, VERBS)} ${word(rng)}`).join('\n');
}

function numbered(rng: Rng): string {
	return [1, 2, 3].map((n) => `${n}. ${capitalize(pick(rng, VERBS))} the *${pick(rng, NOUNS)}*`).join('\n');
}

function code(rng: Rng): string {
	const name = pick(rng, NOUNS).replace(/[^a-z]/g, '');
	return ['```ts', `const ${name} = ${pick(rng, VERBS)}(${intBetween(rng, 2, 99)});`, `console.log(${name});`, '```'].join('\n');
}

function table(rng: Rng): string {
	const rows = [0, 1].map(
		() => `| ${pick(rng, NOUNS)} | ${intBetween(rng, 10, 9_999)} | $${(intBetween(rng, 1, 999) / 1000).toFixed(3)} |`
	);
	return ['| Item | Tokens | Cost |', '| --- | ---: | ---: |', ...rows].join('\n');
}

function quote(rng: Rng): string {
	return `> ${sentence(rng)}`;
}

function capitalize(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

/** One of each markdown feature, compact enough to land in 300–800 characters. */
function shortAnswer(rng: Rng): string {
	return [heading(rng, 2), `${sentence(rng)} ${sentence(rng)}`, bullets(rng), numbered(rng), code(rng), table(rng)].join('\n\n');
}

const LONG_BLOCKS: readonly ((rng: Rng) => string)[] = [
	(rng) => heading(rng, 3),
	(rng) => `${sentence(rng)} ${sentence(rng)} ${sentence(rng)}`,
	bullets,
	numbered,
	code,
	table,
	quote
];

/** Grows whole blocks while they fit, then pads with prose so the length is exact. */
function growTo(rng: Rng, start: string, length: number): string {
	let text = start;
	for (;;) {
		const block = pick(rng, LONG_BLOCKS)(rng);
		if (text.length + 2 + block.length > length) break;
		text += `\n\n${block}`;
	}
	let filler = '\n\n';
	while (text.length + filler.length < length) filler += `${sentence(rng)} `;
	return (text + filler).slice(0, length);
}

/** A pure function of (seed, model, prompt, length): the same inputs always give the same text. */
export function generateReply(input: ReplyInput): string {
	if (input.echo) return input.length === undefined ? input.prompt : input.prompt.slice(0, input.length);
	const rng = createRng(hashString(`${input.seed}\u0000${input.model}\u0000${input.prompt}`));
	const answer = shortAnswer(rng);
	if (input.length === undefined) return answer;
	if (input.length <= answer.length) return answer.slice(0, input.length);
	return growTo(rng, answer, input.length);
}
