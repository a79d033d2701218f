import { sleep, untilAborted, yieldTurn } from './abortable';
import { ChunkEncoder } from './chunks';
import { settle, type CompletionRun } from './completion-run';
import type { Directives } from './directives';
import { splitIntoCharacters, splitIntoPieces, splitWithBigFirst } from './pieces';
import { logprobsOf } from './reply-extras';
import { SseWriter } from './stream-writer';
import { buildUsage } from './usage';

const DEFAULT_KEEPALIVE_INTERVAL_MS = 100;
/**
 * Without a delay, chunks go out in bursts of this many per event-loop turn: a turn per chunk caps
 * a stream near 15k chunks/s, too slow for 130k-character replies in tests and for the bench.
 */
const BURST = 32;
/** Time for the last chunks to reach the client before a reset, so "N chunks then reset" is exact. */
const RESET_GRACE_MS = 20;

function choosePieces(text: string, directives: Directives): string[] {
	if (directives.trickle !== undefined) return splitIntoCharacters(text);
	if (directives.bigEvent !== undefined) return splitWithBigFirst(text, directives.bigEvent);
	return splitIntoPieces(text);
}

/** Faults placed past the end of a short reply fire after its last content chunk. */
function firesAt(position: number | undefined, index: number, pieceCount: number): boolean {
	return position !== undefined && Math.min(position, pieceCount) === index;
}

async function pace(directives: Directives, sent: number, signal: AbortSignal): Promise<void> {
	const ms = directives.trickle ?? directives.delay ?? 0;
	if (ms > 0) await sleep(ms, signal);
	else if (sent % BURST === 0) await yieldTurn(signal);
}

/** Keep-alive comments keep flowing while the "model thinks" before its first token. */
async function thinkFor(writer: SseWriter, ms: number, interval: number, signal: AbortSignal): Promise<void> {
	const end = Date.now() + ms;
	for (let left = ms; left > 0; left = end - Date.now()) {
		await sleep(Math.min(interval, left), signal);
		if (end - Date.now() > 0) await writer.comment();
	}
}

/** Plain content takes the encoder's fast path; a refusal or logprobs make a whole chunk. */
function contentChunk(run: CompletionRun, encoder: ChunkEncoder, piece: string): string {
	const { refusal, topLogprobs } = run.extras;
	if (!refusal && topLogprobs === null) return encoder.content(piece);
	const logprobs = topLogprobs === null ? null : { content: refusal ? null : [logprobsOf(piece, topLogprobs)], refusal: refusal ? [logprobsOf(piece, topLogprobs)] : null };
	return encoder.delta(refusal ? { content: null, refusal: piece } : { content: piece }, logprobs);
}

/** Each call: a chunk with its id and name, then its arguments in pieces across as many chunks. */
async function streamToolCalls(run: CompletionRun, writer: SseWriter, encoder: ChunkEncoder): Promise<void> {
	for (const [index, call] of run.toolCalls.entries()) {
		await writer.data(encoder.toolCall({ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }));
		run.sentChars += call.name.length;
		for (const [sent, piece] of splitIntoPieces(call.arguments).entries()) {
			await writer.data(encoder.toolCall({ index, function: { arguments: piece } }));
			run.sentChars += piece.length;
			await pace(run.directives, sent + 1, run.signal);
		}
	}
}

/**
 * Streams one completion framed like OpenRouter: processing comments, content chunks sharing one id,
 * a finish chunk, the usage chunk (cost + repeated finish_reason), then [DONE]; faults cut in on the way.
 */
export async function streamCompletion(run: CompletionRun): Promise<void> {
	const { res, signal, directives } = run;
	const writer = new SseWriter(res, signal, { eol: directives.crlf ? '\r\n' : '\n', split: directives.split === true });
	res.writeHead(200, {
		'Content-Type': 'text/event-stream',
		'Cache-Control': 'no-cache',
		'X-Generation-Id': run.id
	});
	res.flushHeaders();

	for (let i = 0; i < (directives.keepalive ?? 1); i++) await writer.comment();
	if (directives.firstTokenDelay) {
		const interval = directives.keepaliveInterval ?? DEFAULT_KEEPALIVE_INTERVAL_MS;
		await thinkFor(writer, directives.firstTokenDelay, interval, signal);
	}

	const encoder = new ChunkEncoder(run.id, run.model.id, run.created);
	const pieces = choosePieces(run.text, directives);
	for (const piece of splitIntoPieces(run.extras.reasoning)) {
		await writer.data(encoder.delta({ content: '', reasoning: piece }));
		run.sentChars += piece.length;
	}
	for (let index = 0; ; index++) {
		if (firesAt(directives.stallAfter, index, pieces.length)) await untilAborted(signal);
		if (firesAt(directives.resetAfter, index, pieces.length)) {
			await writer.flushed();
			await sleep(RESET_GRACE_MS, signal);
			settle(run, 'failed', 'error');
			run.selfEnded = true;
			res.socket?.resetAndDestroy();
			return;
		}
		if (firesAt(directives.errorChunk, index, pieces.length)) {
			settle(run, 'failed', 'error');
			await writer.data(encoder.error(502, 'Upstream provider error'));
			res.end();
			return;
		}
		if (firesAt(directives.malformed, index, pieces.length)) await writer.data(encoder.malformed());
		const piece = pieces[index];
		if (piece === undefined) break;
		await writer.data(contentChunk(run, encoder, piece));
		run.sentChars += piece.length;
		await pace(directives, index + 1, signal);
	}
	await streamToolCalls(run, writer, encoder);

	const { completionTokens, billed } = settle(run, 'completed', run.finishReason);
	await writer.data(encoder.finish(run.finishReason));
	if (!directives.noDone) {
		await writer.data(encoder.usage(run.finishReason, buildUsage(run.promptTokens, completionTokens, billed)));
		await writer.done();
	}
	res.end();
}
