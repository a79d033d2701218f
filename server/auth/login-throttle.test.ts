import { describe, expect, it } from 'vitest';
import { isRefusal, LoginThrottle, type Attempt, type Refusal, type ThrottleLimits } from './login-throttle';

const LIMITS: ThrottleLimits = { pairLimit: 3, addressLimit: 5, userLimit: 4, windowMs: 60_000, slowIntervalMs: 10_000, maxInFlight: 100 };

function attempt(result: Attempt | Refusal): Attempt {
	if (isRefusal(result)) throw new Error(`refused: ${result.reason}`);
	return result;
}

describe('LoginThrottle', () => {
	it('counts attempts when they start: concurrent attempts past the limit are refused before any check ends', () => {
		const throttle = new LoginThrottle(LIMITS, () => 0);
		const started = [1, 2, 3].map(() => attempt(throttle.begin('10.0.0.1', 'ada')));
		expect(throttle.begin('10.0.0.1', 'ada')).toEqual({ reason: 'locked', retryAfterMs: 60_000 });
		for (const a of started) a.fail();
		expect(isRefusal(throttle.begin('10.0.0.1', 'ada'))).toBe(true);
	});

	it('locks only the address that guessed: the same user from another address may still sign in', () => {
		const throttle = new LoginThrottle(LIMITS, () => 0);
		for (let i = 0; i < 3; i++) attempt(throttle.begin('10.0.0.1', 'ada')).fail();
		expect(isRefusal(throttle.begin('10.0.0.1', 'ada'))).toBe(true);
		expect(isRefusal(throttle.begin('10.0.0.2', 'ada'))).toBe(false);
	});

	it('frees the address once the window slides past its oldest attempts', () => {
		let t = 1_000_000;
		const throttle = new LoginThrottle(LIMITS, () => t);
		for (let i = 0; i < 3; i++) {
			attempt(throttle.begin('a', 'ada')).fail();
			t += 1_000;
		}
		expect(throttle.begin('a', 'ada')).toEqual({ reason: 'locked', retryAfterMs: 57_000 });
		t += 57_000;
		expect(isRefusal(throttle.begin('a', 'ada'))).toBe(false);
	});

	it('a success clears the address-and-user count and does not count itself', () => {
		const throttle = new LoginThrottle(LIMITS, () => 0);
		attempt(throttle.begin('a', 'ada')).fail();
		attempt(throttle.begin('a', 'ada')).fail();
		attempt(throttle.begin('a', 'ada')).succeed();
		for (let i = 0; i < 3; i++) attempt(throttle.begin('a', 'ada')).fail();
		expect(isRefusal(throttle.begin('a', 'ada'))).toBe(true);
	});

	it('refuses an address that sprays many usernames', () => {
		const throttle = new LoginThrottle(LIMITS, () => 0);
		for (let i = 0; i < 5; i++) attempt(throttle.begin('a', `user${i}`)).fail();
		expect(throttle.begin('a', 'someone-else')).toMatchObject({ reason: 'locked' });
		expect(isRefusal(throttle.begin('b', 'someone-else'))).toBe(false);
	});

	it('slows, never locks, a username guessed from many addresses, and does not slow its known addresses', () => {
		let t = 0;
		const throttle = new LoginThrottle(LIMITS, () => t);
		attempt(throttle.begin('home', 'ada')).succeed();
		for (let i = 0; i < 4; i++) attempt(throttle.begin(`bot${i}`, 'ada')).fail();
		// Past the cap: one attempt per slow interval for addresses the user never signed in from.
		attempt(throttle.begin('new-place', 'ada')).fail();
		expect(throttle.begin('bot9', 'ada')).toEqual({ reason: 'slowed', retryAfterMs: 10_000 });
		t += 10_000;
		expect(isRefusal(throttle.begin('bot9', 'ada'))).toBe(false);
		expect(throttle.begin('bot10', 'ada')).toMatchObject({ reason: 'slowed' });
		expect(isRefusal(throttle.begin('home', 'ada'))).toBe(false);
	});

	it('limits attempts in flight per address', () => {
		const throttle = new LoginThrottle({ ...LIMITS, maxInFlight: 2 }, () => 0);
		const first = attempt(throttle.begin('a', 'ada'));
		attempt(throttle.begin('a', 'bob'));
		expect(throttle.begin('a', 'cy')).toEqual({ reason: 'busy', retryAfterMs: 1_000 });
		first.fail();
		expect(isRefusal(throttle.begin('a', 'cy'))).toBe(false);
	});

	it('an abandoned attempt does not count', () => {
		const throttle = new LoginThrottle(LIMITS, () => 0);
		for (let i = 0; i < 10; i++) attempt(throttle.begin('a', 'ada')).abandon();
		expect(isRefusal(throttle.begin('a', 'ada'))).toBe(false);
	});

	it('settles an attempt once: a second fail or succeed changes nothing', () => {
		const throttle = new LoginThrottle({ ...LIMITS, maxInFlight: 1 }, () => 0);
		const a = attempt(throttle.begin('a', 'ada'));
		a.fail();
		a.fail();
		a.succeed();
		const b = attempt(throttle.begin('a', 'ada'));
		expect(throttle.begin('a', 'bob')).toMatchObject({ reason: 'busy' });
		b.fail();
	});
});
