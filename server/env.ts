import { z } from 'zod';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

const millis = (fallback: number) =>
	z.coerce
		.number({ message: 'must be a number of milliseconds' })
		.int('must be a whole number of milliseconds')
		.min(1, 'must be at least 1 ms')
		.max(24 * 60 * 60 * 1000, 'must be at most a day')
		.default(fallback);

/** docs/architecture.md#configuration-and-storage. Every variable is validated once at boot; nothing else reads process.env. */
export const EnvSchema = z.object({
	PORT: z.coerce
		.number({ message: 'must be a port number' })
		.int('must be an integer')
		.min(0, 'must be between 0 and 65535')
		.max(65535, 'must be between 0 and 65535')
		.default(8787),
	HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
	DATABASE_PATH: z.string().min(1, 'must not be empty').default('./data/phosphor.db'),
	OPENROUTER_API_KEY: z
		.string()
		.trim()
		.min(1)
		.optional()
		.or(z.literal('').transform(() => undefined)),
	UPSTREAM_BASE_URL: z
		.url({ protocol: /^https?$/, message: 'must be an http(s) URL, e.g. https://openrouter.ai/api/v1' })
		.optional()
		.or(z.literal('').transform(() => undefined)),
	PUBLIC_ORIGIN: z
		.url({ protocol: /^https?$/, message: 'must be an origin such as https://chat.example.com' })
		.transform((value) => new URL(value).origin)
		.optional()
		.or(z.literal('').transform(() => undefined)),
	LOG_LEVEL: z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
	/** Used when a request names no model; must have a fixed price (the ledger refuses "-1"). */
	DEFAULT_MODEL: z
		.string()
		.trim()
		.min(1)
		.max(200)
		.optional()
		.or(z.literal('').transform(() => undefined)),
	// Resilience limits (docs/architecture.md#resilience); the defaults suit OpenRouter.
	UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: millis(30_000),
	UPSTREAM_IDLE_TIMEOUT_MS: millis(60_000),
	UPSTREAM_MAX_RETRIES: z.coerce.number().int('must be an integer').min(0, 'must be 0 or more').max(10, 'must be 10 or less').default(2),
	UPSTREAM_RETRY_BASE_DELAY_MS: millis(250),
	UPSTREAM_MAX_RETRY_AFTER_MS: millis(10_000),
	BREAKER_THRESHOLD: z.coerce.number().int('must be an integer').min(1, 'must be 1 or more').max(1000).default(5),
	BREAKER_HALF_OPEN_AFTER_MS: millis(30_000),
	/** Comma-separated models tried, in order, when the requested one fails before answering. */
	FALLBACK_MODELS: z
		.string()
		.default('')
		.transform((v) => v.split(',').map((m) => m.trim()).filter(Boolean)),
	/** Set behind a reverse proxy: per-address sign-in limits then use the address it forwards. */
	TRUST_PROXY: z
		.enum(['true', 'false', '1', '0', ''], { message: 'must be true or false' })
		.default('false')
		.transform((v) => v === 'true' || v === '1'),
	/** How often estimated charges are looked up again (default: 30 s, 2 min, 10 min, then hourly). */
	RECONCILE_RETRY_MS: z.coerce
		.number({ message: 'must be a number of milliseconds' })
		.int('must be a whole number of milliseconds')
		.min(100, 'must be at least 100 ms')
		.max(24 * 60 * 60 * 1000, 'must be at most a day')
		.optional(),
	/** Where the built client lives; tests point it elsewhere. */
	STATIC_DIR: z.string().min(1).default('./build')
});

/** Never echoed, not even in an error message. */
const SECRET_VARIABLES = new Set(['OPENROUTER_API_KEY']);

export type Env = z.infer<typeof EnvSchema>;
export type LogLevel = Env['LOG_LEVEL'];

export class EnvError extends Error {
	override name = 'EnvError';
}

/** Parses the environment or throws an EnvError that names each bad variable and what is allowed. */
export function parseEnv(source: Record<string, string | undefined>): Env {
	const result = EnvSchema.safeParse(source);
	if (result.success) return result.data;
	const lines = result.error.issues.map((issue) => {
		const name = String(issue.path[0] ?? 'environment');
		const shown = SECRET_VARIABLES.has(name) ? '(hidden)' : JSON.stringify(source[name] ?? '');
		return `  ${name}=${shown}: ${issue.message}`;
	});
	throw new EnvError(`Invalid environment:\n${lines.join('\n')}`);
}
