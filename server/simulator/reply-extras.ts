import { hashString } from './prng';

/**
 * What a simulated reply carries besides content, so /v1's pass-through of these fields is
 * testable offline: reasoning text streamed first (`delta.reasoning`, as OpenRouter sends it),
 * the reply as a refusal instead of content, and per-token logprobs when asked for.
 */
export interface ReplyExtras {
	/** Streamed before the content; '' for none. */
	reasoning: string;
	/** The reply travels in `refusal` rather than `content`. */
	refusal: boolean;
	/** `top_logprobs` asked for when `logprobs: true`, else null (no logprobs). */
	topLogprobs: number | null;
}

export function reasoningFor(prompt: string): string {
	return `The user asks: "${prompt.slice(0, 60)}". I will answer briefly.`;
}

export interface TokenLogprob {
	token: string;
	logprob: number;
	bytes: number[];
	top_logprobs: { token: string; logprob: number; bytes: number[] }[];
}

/** One entry per stream piece (the simulator's "token"), with made-up but stable numbers. */
export function logprobsOf(piece: string, top: number): TokenLogprob {
	const logprob = -(hashString(piece) % 1000) / 1000;
	const entry = (token: string, value: number) => ({ token, logprob: value, bytes: [...Buffer.from(token, 'utf8')] });
	const alternatives = Array.from({ length: top }, (_, i) => (i === 0 ? entry(piece, logprob) : entry(`${piece.trim()}~${i}`, logprob - i)));
	return { ...entry(piece, logprob), top_logprobs: alternatives };
}
