import type { LogLevel } from './env';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
	debug(message: string, fields?: Record<string, unknown>): void;
	info(message: string, fields?: Record<string, unknown>): void;
	warn(message: string, fields?: Record<string, unknown>): void;
	error(message: string, fields?: Record<string, unknown>): void;
	/** Messages an operator must see whatever the level (the first-run setup code). */
	notice(message: string): void;
}

/** One line per event, human first: `2026-11-23T22:00:00.000Z info  message key=value`. */
export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stdout.write(l + '\n')): Logger {
	const emit = (at: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>) => {
		if (RANK[at] < RANK[level]) return;
		const extra = fields
			? Object.entries(fields)
					.map(([k, v]) => ` ${k}=${typeof v === 'string' ? JSON.stringify(v) : String(formatValue(v))}`)
					.join('')
			: '';
		write(`${new Date().toISOString()} ${at.padEnd(5)} ${message}${extra}`);
	};
	return {
		debug: (m, f) => emit('debug', m, f),
		info: (m, f) => emit('info', m, f),
		warn: (m, f) => emit('warn', m, f),
		error: (m, f) => emit('error', m, f),
		notice: (m) => {
			if (level !== 'silent') write(m);
		}
	};
}

function formatValue(value: unknown): unknown {
	if (value instanceof Error) return JSON.stringify(value.message);
	if (value !== null && typeof value === 'object') return JSON.stringify(value);
	return value;
}
