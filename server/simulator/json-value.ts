import { intBetween, pick, type Rng } from './prng';

const WORDS = ['ledger', 'cursor', 'replica', 'outbox', 'café', 'breaker', 'snapshot', 'Zürich', 'Lisbon', 'Osaka'];
/** Deep enough for any schema a test writes; a recursive `$ref` that never ends stops here instead of looping. */
const MAX_DEPTH = 8;

type Schema = Record<string, unknown>;

/**
 * A JSON value that fits a JSON Schema, chosen by `rng` (so the same seed gives the same value):
 * every property of an object (strict structured output requires them all), `const` and `enum`
 * honoured, string formats for dates and string lengths, numbers within their bounds, local `$ref`s
 * (`#/$defs/…`, `#/definitions/…`, `#`: what pydantic and zod emit) and `allOf`. Deep in a
 * recursive schema an array takes its fewest items and a nullable value is null, so a tree ends;
 * conditionals and `not` are not honoured.
 */
export function sampleJson(schema: unknown, rng: Rng): unknown {
	return sample(schema, rng, 0, schema);
}

function sample(schema: unknown, rng: Rng, depth: number, root: unknown): unknown {
	const resolved = resolve(schema, root);
	if (!isSchema(resolved) || depth > MAX_DEPTH) return pick(rng, WORDS);
	const s = mergeAllOf(resolved, root);
	const deep = depth >= MAX_DEPTH / 2;
	if ('const' in s) return s['const'];
	if (Array.isArray(s['enum']) && s['enum'].length > 0) return pick(rng, s['enum']);
	const alternatives = s['anyOf'] ?? s['oneOf'];
	if (Array.isArray(alternatives) && alternatives.length > 0) {
		const isNull = (alt: unknown) => {
			const r = resolve(alt, root);
			return isSchema(r) && r['type'] === 'null';
		};
		const chosen = deep ? (alternatives.find(isNull) ?? alternatives[0]) : (alternatives.find((alt) => !isNull(alt)) ?? alternatives[0]);
		return sample(chosen, rng, depth + 1, root);
	}
	const type = typeOf(s);
	if (deep && Array.isArray(s['type']) && s['type'].includes('null')) return null;
	switch (type) {
		case 'object': {
			const properties = isSchema(s['properties']) ? s['properties'] : {};
			return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, sample(value, rng, depth + 1, root)]));
		}
		case 'array': {
			const min = typeof s['minItems'] === 'number' ? s['minItems'] : deep ? 0 : 1;
			const count = deep ? min : Math.max(min, Math.min(2, typeof s['maxItems'] === 'number' ? s['maxItems'] : 2));
			return Array.from({ length: count }, () => sample(s['items'], rng, depth + 1, root));
		}
		case 'integer':
		case 'number': {
			const min = typeof s['minimum'] === 'number' ? Math.ceil(s['minimum']) : 0;
			const max = typeof s['maximum'] === 'number' ? Math.floor(s['maximum']) : min + 100;
			return intBetween(rng, min, Math.max(min, max));
		}
		case 'boolean':
			return rng() < 0.5;
		case 'null':
			return null;
		default:
			return fitLength(s, sampleString(s, rng));
	}
}

/** A local reference followed (through chains of them); anything else is returned as it is. */
function resolve(schema: unknown, root: unknown): unknown {
	let current = schema;
	for (let hops = 0; hops < MAX_DEPTH && isSchema(current) && typeof current['$ref'] === 'string'; hops++) {
		const ref = current['$ref'];
		if (!ref.startsWith('#')) return undefined;
		let target: unknown = root;
		for (const part of ref.slice(1).split('/').filter(Boolean)) {
			const key = decodeURIComponent(part).replaceAll('~1', '/').replaceAll('~0', '~');
			target = isSchema(target) ? target[key] : undefined;
		}
		// Keywords beside a $ref (allowed since draft 2019-09) add to what it points at.
		const { $ref: _ref, ...beside } = current;
		current = isSchema(target) ? { ...target, ...beside } : undefined;
	}
	return current;
}

/** `allOf` folded into one schema: properties united, other keywords the last one's. */
function mergeAllOf(schema: Schema, root: unknown): Schema {
	if (!Array.isArray(schema['allOf'])) return schema;
	const { allOf, ...rest } = schema;
	let merged: Schema = {};
	for (const part of [...(allOf as unknown[]), rest]) {
		const r = resolve(part, root);
		if (!isSchema(r)) continue;
		const flat = mergeAllOf(r, root);
		const properties = { ...(isSchema(merged['properties']) ? merged['properties'] : {}), ...(isSchema(flat['properties']) ? flat['properties'] : {}) };
		merged = { ...merged, ...flat, ...(Object.keys(properties).length > 0 ? { properties } : {}) };
	}
	return merged;
}

function fitLength(schema: Schema, text: string): string {
	const min = typeof schema['minLength'] === 'number' ? schema['minLength'] : 0;
	const max = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : Infinity;
	const long = text.length >= min ? text : text + 'x'.repeat(min - text.length);
	return [...long].slice(0, Math.max(min, max)).join('');
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
