import { intBetween, pick, type Rng } from './prng';

const WORDS = ['ledger', 'cursor', 'replica', 'outbox', 'café', 'breaker', 'snapshot', 'Zürich', 'Lisbon', 'Osaka'];
/** Deep enough for any schema a test writes; a recursive `$ref` stops here instead of looping. */
const MAX_DEPTH = 8;

type Schema = Record<string, unknown>;

/**
 * A JSON value that fits a JSON Schema, chosen by `rng` (so the same seed gives the same value):
 * every property of an object (strict structured output requires them all), `const` and `enum`
 * honoured, string formats for dates, numbers within their bounds. Covers what tool parameters and
 * response schemas use; `$ref` and conditionals are answered with a string.
 */
export function sampleJson(schema: unknown, rng: Rng, depth = 0): unknown {
	if (!isSchema(schema) || depth > MAX_DEPTH) return pick(rng, WORDS);
	if ('const' in schema) return schema['const'];
	if (Array.isArray(schema['enum']) && schema['enum'].length > 0) return pick(rng, schema['enum']);
	const alternatives = schema['anyOf'] ?? schema['oneOf'];
	if (Array.isArray(alternatives)) {
		const first = alternatives.find((s) => !isSchema(s) || s['type'] !== 'null') ?? alternatives[0];
		return sampleJson(first, rng, depth + 1);
	}
	switch (typeOf(schema)) {
		case 'object': {
			const properties = isSchema(schema['properties']) ? schema['properties'] : {};
			return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, sampleJson(value, rng, depth + 1)]));
		}
		case 'array': {
			const min = typeof schema['minItems'] === 'number' ? schema['minItems'] : 1;
			const count = Math.max(min, Math.min(2, typeof schema['maxItems'] === 'number' ? schema['maxItems'] : 2));
			return Array.from({ length: count }, () => sampleJson(schema['items'], rng, depth + 1));
		}
		case 'integer':
		case 'number': {
			const min = typeof schema['minimum'] === 'number' ? Math.ceil(schema['minimum']) : 0;
			const max = typeof schema['maximum'] === 'number' ? Math.floor(schema['maximum']) : min + 100;
			return intBetween(rng, min, Math.max(min, max));
		}
		case 'boolean':
			return rng() < 0.5;
		case 'null':
			return null;
		default:
			return sampleString(schema, rng);
	}
}

function sampleString(schema: Schema, rng: Rng): string {
	if (schema['format'] === 'date') return `2026-0${intBetween(rng, 1, 9)}-1${intBetween(rng, 0, 9)}`;
	if (schema['format'] === 'date-time') return `2026-0${intBetween(rng, 1, 9)}-1${intBetween(rng, 0, 9)}T12:00:00Z`;
	if (schema['format'] === 'email') return `${pick(rng, WORDS).toLowerCase()}@example.com`;
	if (schema['format'] === 'uri') return `https://example.com/${pick(rng, WORDS).toLowerCase()}`;
	return pick(rng, WORDS);
}

function typeOf(schema: Schema): string | undefined {
	const type = schema['type'];
	if (Array.isArray(type)) return type.find((t) => t !== 'null') as string | undefined;
	if (typeof type === 'string') return type;
	return isSchema(schema['properties']) ? 'object' : undefined;
}

function isSchema(value: unknown): value is Schema {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
