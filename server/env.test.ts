import { describe, expect, it } from 'vitest';
import { EnvError, parseEnv } from './env';

describe('parseEnv', () => {
	it('fills the documented defaults', () => {
		expect(parseEnv({})).toEqual({
			PORT: 8787,
			HOST: '127.0.0.1',
			DATABASE_PATH: './data/phosphor.db',
			LOG_LEVEL: 'info',
			STATIC_DIR: './build',
			UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: 30_000,
			UPSTREAM_IDLE_TIMEOUT_MS: 60_000,
			UPSTREAM_MAX_RETRIES: 2,
			UPSTREAM_RETRY_BASE_DELAY_MS: 250,
			UPSTREAM_MAX_RETRY_AFTER_MS: 10_000,
			BREAKER_THRESHOLD: 5,
			BREAKER_HALF_OPEN_AFTER_MS: 30_000,
			FALLBACK_MODELS: [],
			TRUST_PROXY: false
		});
	});

	it('reads TRUST_PROXY as a boolean and refuses anything else', () => {
		expect(parseEnv({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
		expect(parseEnv({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(true);
		expect(parseEnv({ TRUST_PROXY: '0' }).TRUST_PROXY).toBe(false);
		expect(() => parseEnv({ TRUST_PROXY: 'yes please' })).toThrow(/TRUST_PROXY="yes please": must be true or false/);
	});

	it('treats empty optional variables as unset and keeps only the origin of PUBLIC_ORIGIN', () => {
		const env = parseEnv({ OPENROUTER_API_KEY: '', UPSTREAM_BASE_URL: '', PUBLIC_ORIGIN: 'https://chat.example.com/app/' });
		expect(env.OPENROUTER_API_KEY).toBeUndefined();
		expect(env.UPSTREAM_BASE_URL).toBeUndefined();
		expect(env.PUBLIC_ORIGIN).toBe('https://chat.example.com');
	});

	it('names every bad variable and what is allowed', () => {
		let error: unknown;
		try {
			parseEnv({ PORT: '70000', LOG_LEVEL: 'loud', UPSTREAM_BASE_URL: 'ftp://x' });
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(EnvError);
		const message = (error as Error).message;
		expect(message).toContain('PORT="70000": must be between 0 and 65535');
		expect(message).toContain('LOG_LEVEL="loud": must be one of debug, info, warn, error, silent');
		expect(message).toContain('UPSTREAM_BASE_URL="ftp://x": must be an http(s) URL');
	});

	it('reads the fallback models as a comma-separated list', () => {
		expect(parseEnv({ FALLBACK_MODELS: ' sim/gpt-like, ,sim/free ' }).FALLBACK_MODELS).toEqual(['sim/gpt-like', 'sim/free']);
	});

	it('never prints the API key', () => {
		expect(() => parseEnv({ OPENROUTER_API_KEY: '  \t ' })).toThrow(/OPENROUTER_API_KEY=\(hidden\)/);
	});
});
