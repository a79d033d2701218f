import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password';

describe('password hashing (scrypt)', () => {
	it('verifies the right password and refuses a wrong one', async () => {
		const hash = await hashPassword('correct horse battery');
		expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
		expect(await verifyPassword('correct horse battery', hash)).toBe(true);
		expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
	});

	it('salts: the same password hashes differently each time', async () => {
		expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
	});

	it('treats canonically equal Unicode as the same password', async () => {
		const hash = await hashPassword('caf\u00e9');
		expect(await verifyPassword('cafe\u0301', hash)).toBe(true);
	});

	it('refuses a malformed stored hash instead of throwing', async () => {
		expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
	});
});
