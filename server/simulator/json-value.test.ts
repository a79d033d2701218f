import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sampleJson } from './json-value';
import { createRng } from './prng';

interface TreeNode {
	name: string;
	children: TreeNode[];
}
const TreeNode: z.ZodType<TreeNode> = z.object({
	name: z.string(),
	get children() {
		return z.array(TreeNode);
	}
});
interface Comment {
	text: string;
	reply: Comment | null;
}
const Comment: z.ZodType<Comment> = z.object({
	text: z.string().min(12),
	get reply() {
		return Comment.nullable();
	}
});
const Address = z.object({ street: z.string().min(8), city: z.string().max(3), zip: z.string().length(5) });
/** Reused and recursive parts, as a structured-output schema from zod or pydantic has them: behind `$ref`s into `$defs`. */
const Person = z.object({ home: Address, work: Address.nullable(), tree: TreeNode, thread: Comment, tags: z.array(z.enum(['a', 'b'])).min(1) });

describe('sampleJson', () => {
	it('honours const, enum, anyOf with null, nested objects and date formats', () => {
		const value = sampleJson(
			{ type: 'object', properties: { kind: { const: 'x' }, size: { anyOf: [{ type: 'null' }, { type: 'number', minimum: 5, maximum: 5 }] }, when: { type: 'string', format: 'date' }, inner: { properties: { n: { type: ['integer', 'null'], maximum: 0, minimum: 0 } } } } },
			createRng(3)
		);
		expect(value).toEqual({ kind: 'x', size: 5, when: expect.stringMatching(/^2026-\d\d-\d\d$/), inner: { n: 0 } });
	});

	it('fits a schema with $refs into $defs, reused and recursive parts, and string lengths', () => {
		const schema = z.toJSONSchema(Person, { reused: 'ref' });
		expect(JSON.stringify(schema)).toContain('"$ref":"#/$defs/');
		for (let seed = 1; seed <= 50; seed++) {
			const value = sampleJson(schema, createRng(seed));
			expect(Person.safeParse(value).error).toBeUndefined();
		}
	});

	it('follows #/definitions/… (older drafts, pydantic v1), # (the root itself) and allOf', () => {
		const schema = {
			definitions: { Pet: { type: 'object', properties: { kind: { enum: ['cat', 'dog'] }, name: { type: 'string', maxLength: 4 } } } },
			type: 'object',
			properties: {
				pet: { allOf: [{ $ref: '#/definitions/Pet' }, { properties: { age: { type: 'integer', minimum: 1, maximum: 1 } } }] },
				again: { anyOf: [{ $ref: '#' }, { type: 'null' }] }
			}
		};
		const value = sampleJson(schema, createRng(7)) as { pet: unknown; again: unknown };
		expect(value.pet).toEqual({ kind: expect.stringMatching(/^(cat|dog)$/), name: expect.any(String), age: 1 });
		expect((value.pet as { name: string }).name.length).toBeLessThanOrEqual(4);
		// The root refers to itself through a nullable field: deep enough, it is null, so the value ends.
		let level: unknown = value;
		let levels = 0;
		while (level !== null && typeof level === 'object') {
			level = (level as { again: unknown }).again;
			levels++;
		}
		expect(level).toBeNull();
		expect(levels).toBeLessThan(10);
	});

	it('answers an unresolvable $ref with a string instead of failing', () => {
		expect(typeof sampleJson({ $ref: 'https://example.com/schema.json' }, createRng(1))).toBe('string');
		expect(typeof sampleJson({ $ref: '#/$defs/missing' }, createRng(1))).toBe('string');
	});
});
