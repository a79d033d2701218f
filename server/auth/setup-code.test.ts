import { describe, expect, it } from 'vitest';
import { generateSetupCode, normalizeSetupCode, SetupCode } from './setup-code';

describe('setup code', () => {
	it('looks like XXXX-XXXX-XXXX without ambiguous characters', () => {
		for (let i = 0; i < 200; i++) expect(generateSetupCode()).toMatch(/^[A-HJ-KM-NP-Z2-9]{4}-[A-HJ-KM-NP-Z2-9]{4}-[A-HJ-KM-NP-Z2-9]{4}$/);
	});

	it('accepts the code typed in lower case or without dashes, once', () => {
		const setup = new SetupCode();
		const code = setup.issue();
		expect(setup.consume('WRONG-CODE-0000')).toBe(false);
		expect(setup.pending).toBe(true);
		expect(setup.consume(` ${code.replaceAll('-', '').toLowerCase()} `)).toBe(true);
		expect(setup.pending).toBe(false);
		expect(setup.consume(code)).toBe(false);
	});

	it('normalises input into groups of four', () => {
		expect(normalizeSetupCode('abcd efgh-jkmn')).toBe('ABCD-EFGH-JKMN');
	});
});
