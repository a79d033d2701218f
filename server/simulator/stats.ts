import { formatAttoAsUsd, type Billed } from './cost';
import type { FinishReason } from './chunks';

export type GenerationStatus =
	/** Still streaming or waiting (hang, stall): not yet visible to GET /generation. */
	| 'running'
	| 'completed'
	/** The client went away (or the simulator closed); billed for what was sent. */
	| 'aborted'
	/** Ended by a fault: error chunk or socket reset; billed for what was sent. */
	| 'failed';

export interface GenerationRecord {
	id: string;
	model: string;
	streamed: boolean;
	status: GenerationStatus;
	finishReason: FinishReason | null;
	promptTokens: number;
	completionTokens: number;
	/** Characters of reply content actually written to the client. */
	sentChars: number;
	/** Exact decimal USD billed. */
	costUsd: string;
	/** Exact atto-USD (1e-18) billed, for ledger comparisons without floats. */
	costAtto: bigint;
	/** The JSON number reported as usage.cost / total_cost. */
	cost: number;
	createdAt: Date;
	finishedAt: Date | null;
}

/** What tests read. Counters are live: read them after the thing you are waiting for. */
export interface SimulatorStats {
	/** Requests seen, keyed by URL path (e.g. "/api/v1/chat/completions"). */
	readonly requests: Readonly<Record<string, number>>;
	/** TCP connections currently open to the simulator. */
	readonly openConnections: number;
	/** Chat completion responses still being served (streams included). */
	readonly activeCompletions: number;
	/** Completions the client abandoned before the simulator finished them. */
	readonly abortedByClient: number;
	/** Billing record per generation id, including aborted and failed generations. */
	readonly generations: ReadonlyMap<string, GenerationRecord>;
	/** Exact sum of everything billed, in decimal USD. */
	totalBilledUsd(): string;
}

export class StatsRecorder implements SimulatorStats {
	readonly requests: Record<string, number> = {};
	readonly generations = new Map<string, GenerationRecord>();
	openConnections = 0;
	activeCompletions = 0;
	abortedByClient = 0;

	countRequest(path: string): void {
		this.requests[path] = (this.requests[path] ?? 0) + 1;
	}

	startGeneration(id: string, model: string, streamed: boolean, promptTokens: number): GenerationRecord {
		const record: GenerationRecord = {
			id,
			model,
			streamed,
			status: 'running',
			finishReason: null,
			promptTokens,
			completionTokens: 0,
			sentChars: 0,
			costUsd: '0',
			costAtto: 0n,
			cost: 0,
			createdAt: new Date(),
			finishedAt: null
		};
		this.generations.set(id, record);
		return record;
	}

	/** Settles a generation once; later calls are ignored so an abort after completion changes nothing. */
	finishGeneration(
		record: GenerationRecord,
		status: Exclude<GenerationStatus, 'running'>,
		finishReason: FinishReason | null,
		sentChars: number,
		completionTokens: number,
		billed: Billed
	): void {
		if (record.status !== 'running') return;
		record.status = status;
		record.sentChars = sentChars;
		record.finishReason = finishReason;
		record.completionTokens = completionTokens;
		record.costAtto = billed.costAtto;
		record.costUsd = billed.costUsd;
		record.cost = billed.cost;
		record.finishedAt = new Date();
	}

	totalBilledUsd(): string {
		let total = 0n;
		for (const record of this.generations.values()) total += record.costAtto;
		return formatAttoAsUsd(total);
	}
}
