import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { untilAborted } from './abortable';
import { settle, type CompletionRun } from './completion-run';
import type { SimulatorContext } from './context';
import { extractDirectives, mergeDirectives, parseDirectiveList, type Directives } from './directives';
import { sendError, simulatedError } from './errors';
import { failureKey, resolveFaults } from './faults';
import { newGenerationId } from './generation-id';
import { readBody } from './http-io';
import { respondWithCompletion } from './json-completion';
import { findModel, SIM_MODELS, type SimModel } from './models';
import { planReply, type PlannedReply } from './planned-reply';
import { reasoningFor } from './reply-extras';
import { countRequestTokens } from './prompt-tokens';
import { ChatRequestSchema, lastUserText, type ChatRequest } from './request-schema';
import { streamCompletion } from './stream-completion';
import { applyMaxTokens } from './tokens';

type Parsed = { ok: true; request: ChatRequest } | { ok: false; message: string };

function parseRequest(raw: string): Parsed {
	let json: unknown;
	try {
		json = JSON.parse(raw);
	} catch {
		return { ok: false, message: 'Request body is not valid JSON' };
	}
	const result = ChatRequestSchema.safeParse(json);
	if (!result.success) return { ok: false, message: `Invalid chat completion request: ${z.prettifyError(result.error)}` };
	return { ok: true, request: result.data };
}

function headerValue(req: IncomingMessage, name: string): string {
	const value = req.headers[name];
	return Array.isArray(value) ? value.join(',') : (value ?? '');
}

/** Counts client aborts and settles the generation (billing what was sent) the moment the socket closes. */
function watchClose(ctx: SimulatorContext, res: ServerResponse, onAbort: () => void): AbortSignal {
	const controller = new AbortController();
	ctx.stats.activeCompletions++;
	// 'close' also follows a normal end; only an unfinished response means the client went away.
	res.on('close', () => {
		ctx.stats.activeCompletions--;
		if (!res.writableEnded) onAbort();
		controller.abort();
	});
	return controller.signal;
}

export async function handleChatCompletions(ctx: SimulatorContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
	const parsed = parseRequest(await readBody(req));
	if (!parsed.ok) return sendError(res, 400, parsed.message);
	const request = parsed.request;
	const model = findModel(request.model);
	if (!model) {
		const known = SIM_MODELS.map((entry) => entry.id).join(', ');
		return sendError(res, 400, `${request.model} is not a valid model ID (the simulator serves: ${known})`);
	}

	const message = lastUserText(request.messages);
	const header = headerValue(req, 'x-sim-fault');
	const fromMessage = extractDirectives(message);
	if (!fromMessage.ok) return sendError(res, 400, fromMessage.error);
	const fromHeader = parseDirectiveList(header);
	if (!fromHeader.ok) return sendError(res, 400, `X-Sim-Fault: ${fromHeader.error}`);
	const requested = mergeDirectives(fromMessage.directives, fromHeader.directives);
	const directives = resolveFaults(requested, failureKey(requested, message, header), ctx.failures);

	if (directives.status !== undefined) {
		const { message: text, metadata } = simulatedError(directives.status, model.id);
		const headers: Record<string, string> =
			directives.retryAfter === undefined ? {} : { 'Retry-After': String(directives.retryAfter) };
		return sendError(res, directives.status, text, { headers, ...(metadata ? { metadata } : {}) });
	}

	const length = directives.bigEvent === undefined ? directives.len : Math.max(directives.len ?? 0, directives.bigEvent);
	const plan = planReply({ request, directives, seed: request.seed ?? ctx.seed, prompt: fromMessage.text, ...(length === undefined ? {} : { length }) });
	if (!plan.ok) return sendError(res, 400, plan.error);

	const promptTokens = countRequestTokens(request);
	if (promptTokens > model.context_length) {
		return sendError(
			res,
			400,
			`This endpoint's maximum context length is ${model.context_length} tokens. However, you requested about ${promptTokens} tokens.`
		);
	}

	if (directives.hang) {
		// No generation id ever reaches the client, so there is nothing to bill or look up.
		const signal = watchClose(ctx, res, () => countAbort(ctx));
		return untilAborted(signal);
	}

	const run = createRun(ctx, res, request, model, directives, plan.reply, fromMessage.text, promptTokens);
	if (request.stream) await streamCompletion(run);
	else await respondWithCompletion(run);
}

function countAbort(ctx: SimulatorContext): void {
	if (!ctx.isClosing()) ctx.stats.abortedByClient++;
}

function createRun(
	ctx: SimulatorContext,
	res: ServerResponse,
	request: ChatRequest,
	model: SimModel,
	directives: Directives,
	reply: PlannedReply,
	prompt: string,
	promptTokens: number
): CompletionRun {
	const created = Math.floor(Date.now() / 1000);
	const id = newGenerationId(created);
	const { text, finishReason } =
		reply.kind === 'tools'
			? { text: '', finishReason: 'tool_calls' as const }
			: applyMaxTokens(reply.text, request.max_tokens ?? request.max_completion_tokens);
	const record = ctx.stats.startGeneration(id, model.id, request.stream === true, promptTokens);
	const misses = directives.lookup404 ?? ctx.defaultLookupMisses;
	if (misses > 0) ctx.lookupMisses.set(id, misses);
	const signal = watchClose(ctx, res, () => {
		if (run.selfEnded) return;
		countAbort(ctx);
		settle(run, 'aborted', null);
	});
	const run: CompletionRun = {
		ctx,
		res,
		signal,
		id,
		model,
		created,
		text,
		toolCalls: reply.kind === 'tools' ? reply.calls : [],
		extras: {
			reasoning: directives.reasoning ? reasoningFor(prompt) : '',
			refusal: directives.refusal === true && reply.kind === 'text',
			topLogprobs: request.logprobs === true ? (request.top_logprobs ?? 0) : null
		},
		finishReason,
		promptTokens,
		directives,
		record,
		sentChars: 0,
		selfEnded: false
	};
	return run;
}
