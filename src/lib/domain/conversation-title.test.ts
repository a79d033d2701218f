import { describe, expect, it } from 'vitest';
import { AUTO_TITLE_MAX, titleFrom } from './conversation-title';

describe('titleFrom', () => {
	it('takes the first non-blank line, trimmed', () => {
		expect(titleFrom('\n\n  Plan a trip to Lisbon  \nwith details')).toBe('Plan a trip to Lisbon');
	});

	it('cuts long lines with an ellipsis at the limit', () => {
		const title = titleFrom('x'.repeat(200));
		expect(title).toHaveLength(AUTO_TITLE_MAX);
		expect(title.endsWith('…')).toBe(true);
	});

	it('gives an empty title for blank text', () => {
		expect(titleFrom('   \n ')).toBe('');
	});
});
