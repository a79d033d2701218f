import { describe, expect, it } from 'vitest';
import { ReplayedText } from './replayed-text';

describe('ReplayedText', () => {
	it('builds a reply from its deltas', () => {
		const text = new ReplayedText();
		expect(['Hel', 'lo', '!'].map((d) => text.delta(d))).toEqual(['Hel', 'Hello', 'Hello!']);
	});

	it('followed again, shows the text it had until the replay catches up, never the two added together', () => {
		const text = new ReplayedText('Hello wor');
		expect(text.delta('Hello')).toBe('Hello wor');
		expect(text.delta(' wor')).toBe('Hello wor');
		expect(text.delta('ld')).toBe('Hello world');
	});

	it('takes a snapshot as the whole text so far', () => {
		const text = new ReplayedText('Hello');
		expect(text.snapshot('Hello world')).toBe('Hello world');
		expect(text.delta('!')).toBe('Hello world!');
	});
});
