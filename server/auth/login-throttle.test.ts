import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle';

describe('LoginThrottle', () => {
	it('allows attempts under the limit and blocks the next one until the window passes', () => {
		let t = 1_000_000;
		const throttle = new LoginThrottle(3, 60_000, () => t);
		const keys = ['user:ada', 'ip:127.0.0.1'];
		for (let i = 0; i < 3; i++) {
			expect(throttle.retryAfter(keys)).toBe(0);
			throttle.fail(keys);
			t += 1_000;
		}
		expect(throttle.retryAfter(keys)).toBe(57_000);
		t += 57_000;
		expect(throttle.retryAfter(keys)).toBe(0);
	});

	it('forgets failures after a success', () => {
		const throttle = new LoginThrottle(2, 60_000, () => 0);
		throttle.fail(['user:ada']);
		throttle.succeed(['user:ada']);
		throttle.fail(['user:ada']);
		expect(throttle.retryAfter(['user:ada'])).toBe(0);
	});

	it('blocks by any one of the keys', () => {
		const throttle = new LoginThrottle(1, 60_000, () => 0);
		throttle.fail(['user:ada', 'ip:a']);
		expect(throttle.retryAfter(['user:bob', 'ip:a'])).toBe(60_000);
		expect(throttle.retryAfter(['user:bob', 'ip:b'])).toBe(0);
	});
});
