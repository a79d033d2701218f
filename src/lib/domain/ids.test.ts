import { describe, expect, it } from 'vitest';
import { ConversationId, GenerationId, LedgerEntryId, MessageId, UserId, newId } from './ids';

describe('newId', () => {
	it('is URL-safe, 21 characters, and accepted by every id schema', () => {
		const id = newId();
		expect(id).toMatch(/^[A-Za-z0-9_-]{21}$/);
		expect(encodeURIComponent(id)).toBe(id);
		for (const schema of [UserId, ConversationId, MessageId, GenerationId, LedgerEntryId]) {
			expect(schema.parse(id)).toBe(id);
		}
	});

	it('does not repeat', () => {
		const ids = new Set(Array.from({ length: 10_000 }, newId));
		expect(ids.size).toBe(10_000);
	});
});

describe('id schemas', () => {
	it('reject empty and over-long ids', () => {
		expect(UserId.safeParse('').success).toBe(false);
		expect(UserId.safeParse('x'.repeat(65)).success).toBe(false);
		expect(UserId.safeParse('x'.repeat(64)).success).toBe(true);
		expect(MessageId.safeParse(42).success).toBe(false);
	});
});
