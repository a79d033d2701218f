import type { BatchedWriter } from './batched-writer';
import type { StatementCall } from './write-statement';

export interface GenerationEndFields {
	state: 'done' | 'cancelled' | 'failed';
	failureReason: string | null;
	/** Null leaves the row's model as it is. */
	model: string | null;
	tokensIn: number | null;
	tokensOut: number | null;
	/** Null leaves cost and source as they are (a settlement may have written them already). */
	costNanoUsd: number | null;
	costSource: 'provider' | null;
}

/**
 * The writes every call makes to its generation row, as the writer's statements: on the hot path,
 * building and preparing a query builder's statement cost more than running it. Each method
 * returns the write for `BatchedWriter.write` (or `runHere` inside a closure operation); the sync
 * triggers keep `version` as for any other write.
 */
export class GenerationRows {
	readonly #running;
	readonly #upstreamId;
	readonly #end;

	constructor(writer: BatchedWriter) {
		this.#running = writer.statement<{ id: string; userId: string; origin: string; models: string; now: number; maxTokens: number; promptTokensEstimate: number }>(
			`INSERT INTO generations (id, user_id, origin, models, state, created_at, started_at, max_tokens, prompt_tokens_estimate)
			 VALUES (@id, @userId, @origin, @models, 'running', @now, @now, @maxTokens, @promptTokensEstimate)
			 ON CONFLICT (id) DO UPDATE SET state = 'running', started_at = @now, max_tokens = @maxTokens, prompt_tokens_estimate = @promptTokensEstimate`
		);
		this.#upstreamId = writer.statement<[string, string, number, string]>('UPDATE generations SET upstream_id = ?, model = ?, first_token_at = ? WHERE id = ?');
		this.#end = writer.statement<GenerationEndFields & { id: string; now: number }>(
			`UPDATE generations SET state = @state, failure_reason = @failureReason, finished_at = @now, model = coalesce(@model, model),
			 tokens_in = CASE WHEN @state = 'done' THEN @tokensIn ELSE tokens_in END,
			 tokens_out = CASE WHEN @state = 'done' THEN @tokensOut ELSE tokens_out END,
			 cost_nano_usd = coalesce(@costNanoUsd, cost_nano_usd), cost_source = coalesce(@costSource, cost_source)
			 WHERE id = @id`
		);
	}

	/** Admission: the row (an API call's is new, an app reply's exists) goes to `running`. */
	markRunning(row: { id: string; userId: string; origin: 'app' | 'api'; models: string[]; maxTokens: number; promptTokensEstimate: number }, now: number): StatementCall {
		return this.#running.call({ ...row, models: JSON.stringify(row.models), now });
	}

	/** The provider's id, as soon as it is known: a crash after it can still be reconciled. */
	recordUpstreamId(id: string, upstreamId: string, model: string, at: number): StatementCall {
		return this.#upstreamId.call([upstreamId, model, at, id]);
	}

	recordEnd(id: string, end: GenerationEndFields, now: number): StatementCall {
		return this.#end.call({ ...end, id, now });
	}
}
