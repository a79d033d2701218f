import {
	isMutationName,
	MUTATION_ARGS,
	PULL_PAGE_ROWS,
	PullRequest,
	PushRequest,
	type ConversationRow,
	type GenerationRow,
	type MessageRow,
	type Mutation,
	type PullResponse,
	type PushResponse,
	type RejectionRow
} from '../../domain/sync';
import { applyMutation, MutationRejected, type MemoryUserRows } from './memory-mutations';
import { MemorySyncConnection } from './memory-sync-connection';

type Kind = keyof MemoryUserRows | 'rejections';

/** As the server: a page also ends once its message text passes this. */
const PAGE_TEXT_BUDGET = 4 * 1024 * 1024;
type AnyRow = ConversationRow | MessageRow | GenerationRow | RejectionRow;

interface UserState extends MemoryUserRows {
	rejections: Map<string, RejectionRow>;
	/** Every save, in version order; a pull skips entries whose row has moved on since. */
	log: { version: number; kind: Kind; key: string }[];
}

/**
 * An in-memory twin of the sync server, for tests: the protocol's semantics (clientId → last
 * mutation id, duplicates skipped, stop at a gap, per-mutation validation and rejection, one global
 * version counter, tombstones, version-ordered pages with `more`) and the server's mutation rules
 * (memory-mutations.ts). Each client talks to it through its own `connect(userId)`, which carries
 * the fault hooks.
 */
export class MemorySyncServer {
	/** The global version counter: the last version given to a row. */
	version = 0;
	private readonly users = new Map<string, UserState>();
	private readonly clients = new Map<string, { userId: string; lastMutationId: number }>();
	/** Who owns each id, per kind: ids are global, as in the server's tables. */
	private readonly owners = { conversations: new Map<string, string>(), messages: new Map<string, string>(), generations: new Map<string, string>() };

	constructor(readonly now: () => number = () => Date.now()) {}

	/** A client's connection for a signed-in user (each engine under test gets its own). */
	connect(userId: string): MemorySyncConnection {
		return new MemorySyncConnection(this, userId);
	}

	push(userId: string, input: PushRequest): PushResponse {
		const request = PushRequest.parse(input);
		const client = this.client(userId, request.clientId, true);
		const rejected: PushResponse['rejected'] = [];
		for (const { id, name, args } of request.mutations) {
			if (id <= client.lastMutationId) continue; // a duplicate: already processed
			if (id > client.lastMutationId + 1) break; // a gap: wait for the missing ones
			const reason = this.apply(userId, name, args);
			if (reason !== null) {
				rejected.push({ id, reason });
				const row: RejectionRow = { clientId: request.clientId, mutationId: id, name: name.slice(0, 64), reason, createdAt: this.now(), version: 0 };
				this.save(userId, 'rejections', row);
			}
			client.lastMutationId = id;
		}
		return { lastMutationId: client.lastMutationId, rejected };
	}

	pull(userId: string, input: PullRequest): PullResponse {
		const request = PullRequest.parse(input);
		const state = this.user(userId);
		const page: PullResponse = {
			cursor: this.version,
			more: false,
			lastMutationId: request.clientId === undefined ? 0 : (this.client(userId, request.clientId, false)?.lastMutationId ?? 0),
			conversations: [],
			messages: [],
			generations: [],
			rejections: []
		};
		let rows = 0;
		let text = 0;
		for (let i = firstAbove(state.log, request.cursor); i < state.log.length; i++) {
			const entry = state.log[i] as UserState['log'][number];
			const row = (state[entry.kind] as Map<string, AnyRow>).get(entry.key);
			if (row?.version !== entry.version) continue; // superseded by a later save, or forgotten
			if (entry.kind === 'generations' && state.conversations.get((row as GenerationRow).conversationId)?.deletedAt !== null) continue;
			if (rows === PULL_PAGE_ROWS || (text > PAGE_TEXT_BUDGET && rows > 0)) {
				page.more = true;
				break;
			}
			(page[entry.kind] as AnyRow[]).push(structuredClone(row));
			page.cursor = entry.version;
			rows++;
			if (entry.kind === 'messages') text += (row as MessageRow).content.length;
		}
		if (!page.more) page.cursor = this.version;
		return page;
	}

	/** The server's copy of a user's rows, for assertions. */
	rows(userId: string): { conversations: ConversationRow[]; messages: MessageRow[]; generations: GenerationRow[]; rejections: RejectionRow[] } {
		const state = this.user(userId);
		return structuredClone({
			conversations: [...state.conversations.values()],
			messages: [...state.messages.values()],
			generations: [...state.generations.values()],
			rejections: [...state.rejections.values()]
		});
	}

	lastMutationId(clientId: string): number {
		return this.clients.get(clientId)?.lastMutationId ?? 0;
	}

	/** Ends a reply as the orchestrator would: the text, the terminal state, new versions. */
	finishGeneration(userId: string, generationId: string, end: { content: string; state?: 'done' | 'failed'; failureReason?: string }): void {
		const state = this.user(userId);
		const generation = state.generations.get(generationId);
		if (generation === undefined) throw new Error(`No generation ${generationId} for ${userId}`);
		const reply = state.messages.get(generation.assistantMessageId);
		const failed = end.state === 'failed';
		this.save(userId, 'generations', {
			...generation,
			state: end.state ?? 'done',
			failureReason: failed ? (end.failureReason ?? 'failed') : null,
			finishedAt: this.now()
		});
		if (reply) this.save(userId, 'messages', { ...reply, content: end.content, status: failed ? 'failed' : 'complete' });
	}

	private apply(userId: string, name: string, args: unknown): string | null {
		if (!isMutationName(name)) return `"${name}" is not a change this server knows. Update the app.`;
		const parsed = MUTATION_ARGS[name].safeParse(args);
		if (!parsed.success) {
			const fields = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`);
			return `Invalid ${name} — ${fields.join('; ')}`;
		}
		try {
			const mutation = { id: 0, name, args: parsed.data } as Mutation; // name and args match: parsed by name
			applyMutation(this.user(userId), mutation, {
				now: this.now(),
				save: (kind, row) => this.save(userId, kind, row),
				forget: (kind, id) => this.user(userId)[kind].delete(id),
				takenByOther: (kind, id) => (this.owners[kind].get(id) ?? userId) !== userId
			});
			return null;
		} catch (error) {
			if (error instanceof MutationRejected) return error.message;
			throw error;
		}
	}

	private save(userId: string, kind: Kind, row: AnyRow): void {
		const state = this.user(userId);
		const version = ++this.version;
		const key = 'mutationId' in row ? `${row.clientId}/${row.mutationId}` : row.id;
		(state[kind] as Map<string, AnyRow>).set(key, { ...row, version });
		state.log.push({ version, kind, key });
		if (kind !== 'rejections') this.owners[kind].set(key, userId);
	}

	/** The client's record (created by its first push); another user's client id is refused whole (HTTP 403). */
	private client(userId: string, clientId: string, create: true): { userId: string; lastMutationId: number };
	private client(userId: string, clientId: string, create: false): { userId: string; lastMutationId: number } | undefined;
	private client(userId: string, clientId: string, create: boolean): { userId: string; lastMutationId: number } | undefined {
		let client = this.clients.get(clientId);
		if (client === undefined && create) this.clients.set(clientId, (client = { userId, lastMutationId: 0 }));
		if (client && client.userId !== userId) throw new Error('That client id belongs to another user. Sign in again on this device.');
		return client;
	}

	private user(userId: string): UserState {
		let state = this.users.get(userId);
		if (state === undefined) {
			state = { conversations: new Map(), messages: new Map(), generations: new Map(), rejections: new Map(), log: [] };
			this.users.set(userId, state);
		}
		return state;
	}
}

/** Index of the first log entry with version > cursor (the log is in version order). */
function firstAbove(log: readonly { version: number }[], cursor: number): number {
	let lo = 0;
	let hi = log.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if ((log[mid] as { version: number }).version <= cursor) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}
