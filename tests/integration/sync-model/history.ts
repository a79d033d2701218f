import { and, eq } from 'drizzle-orm';
import { conversations, generations, messages, syncClients, syncCounter, syncRejections } from '../../../server/db/schema';
import { IMPORT_BATCH_MAX, PULL_PAGE_ROWS, type Mutation } from '../../../src/lib/domain/sync';
import { readConversation, readConversationList } from '../../../src/lib/client/store/queries';
import type { Command, HistoryPlan, Intrusion, Reply } from './commands';
import { Device } from './device';
import type { ModelServer } from './model-server';

export const MODEL = 'sim/echo-mini';
/** What a message asks of the simulator: five characters at once, or twenty trickled over ~100 ms. */
const QUICK = '[[sim:len=5]]';
const SLOW = '[[sim:len=20 trickle=5]]';
/** An intrusion the server must always refuse. */
const REFUSED = { freedBy: null };
const MAX_DEVICES = 6;

const byId = <T extends { id: string }>(rows: T[]): T[] => rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

export class ModelFailure extends Error {
	override name = 'ModelFailure';
}

export function check(condition: unknown, message: () => string): asserts condition {
	if (!condition) throw new ModelFailure(message());
}

/**
 * One history: a fresh user (and maybe a second one) with their devices on the shared server,
 * the plan's commands applied one by one, and after each the checks that hold at every step.
 */
export class History {
	readonly devices: Device[] = [];
	/** What each step did, for the failure report. */
	readonly trace: string[] = [];
	readonly firstUser: string;
	readonly secondUser: string | null;
	/** Acknowledged conversation deletes: id → the first tombstone version seen on the server. */
	readonly deletedConversations = new Map<string, number>();
	/** Acknowledged message deletes: id → the version from which a device that pulled past it must not show it. */
	readonly deletedMessages = new Map<string, { conversationId: string; version: number }>();
	readonly errorsBefore: number;
	private ids = 0;
	private bigImports = 0;
	private time = 1_750_000_000_000;
	private readonly online = new Map<Device, EventTarget>();

	private constructor(
		readonly server: ModelServer,
		readonly prefix: string,
		readonly plan: HistoryPlan
	) {
		this.firstUser = `${prefix}ada`;
		this.secondUser = plan.secondUser ? `${prefix}eve` : null;
		this.errorsBefore = server.errors.length;
	}

	static async open(server: ModelServer, prefix: string, plan: HistoryPlan): Promise<History> {
		const history = new History(server, prefix, plan);
		server.createUser(history.firstUser);
		if (history.secondUser) server.createUser(history.secondUser);
		const clock = () => history.time;
		for (let i = 0; i < plan.devices; i++) history.devices.push(await Device.open(server, history.firstUser, `${history.firstUser}-d${i}`, clock));
		if (history.secondUser) history.devices.push(await Device.open(server, history.secondUser, `${history.secondUser}-d0`, clock));
		// Where a history starts: one conversation with a short branch, on every device of the first user.
		const [first] = history.devices;
		if (first) {
			const { id } = await history.createConversation(first, 'Start', 'none');
			await history.sendMessage(first, id, null, 'Second', 'none');
		}
		for (const device of history.own) await device.drain();
		return history;
	}

	/** The first user's devices. */
	get own(): Device[] {
		return this.devices.filter((d) => d.userId === this.firstUser);
	}

	get intruder(): Device | undefined {
		return this.devices.find((d) => d.userId === this.secondUser);
	}

	users(): string[] {
		return this.secondUser ? [this.firstUser, this.secondUser] : [this.firstUser];
	}

	async close(): Promise<void> {
		for (const device of this.devices) await device.close();
	}

	private id(kind: string): string {
		return `${this.prefix}${kind}${++this.ids}`;
	}

	private now(): number {
		return this.time;
	}

	async run(command: Command): Promise<void> {
		this.time += 1_000;
		const device = 'd' in command ? this.devices[command.d % this.devices.length] : undefined;
		const note = await this.apply(command, device);
		this.trace.push(`${JSON.stringify(command)}${device ? ` [${device.name}]` : ''}${note ? ` → ${note}` : ''}`);
		await this.checkStep(device);
	}

	private async apply(command: Command, device: Device | undefined): Promise<string> {
		switch (command.t) {
			case 'restart':
				await this.server.restart();
				return `restart #${this.server.restarts}`;
			case 'intrude':
				return this.intrude(command.kind, command.pick);
			case 'join': {
				if (this.own.length >= MAX_DEVICES) return 'no room for another device';
				const device = await Device.open(this.server, this.firstUser, `${this.firstUser}-d${this.own.length}`, () => this.time);
				this.devices.push(device);
				return device.name;
			}
		}
		if (!device) throw new Error('no device');
		switch (command.t) {
			case 'create':
				return (await this.createConversation(device, command.title, command.message ? 'none' : null)).note;
			case 'import':
				return this.importFile(device, command.file, command.extended);
			case 'bigImport':
				return this.importBig(device);
			case 'rename':
			case 'pin':
			case 'archive':
			case 'deleteConversation': {
				const conversation = await this.pickConversation(device, command.pick);
				if (!conversation) return 'no conversation';
				const id = conversation.id;
				if (command.t === 'rename') await device.enqueue('conversation.rename', { id, title: command.title });
				else if (command.t === 'pin') await device.enqueue('conversation.pin', { id, pinned: command.on });
				else if (command.t === 'archive') await device.enqueue('conversation.archive', { id, archived: command.on });
				else await device.enqueue('conversation.delete', { id });
				await device.settle();
				return id;
			}
			case 'send':
			case 'edit': {
				const conversation = await this.pickConversation(device, command.pick);
				// Writing with no conversation open starts one, as the app's composer does.
				if (!conversation) return command.t === 'send' ? (await this.createConversation(device, '', command.reply)).note : 'no conversation';
				const detail = await readConversation(device.store.db, conversation.id);
				if (!detail) throw new Error('listed conversation has no detail');
				let parentId: string | null;
				if (command.t === 'send') {
					// Under the branch this device shows, as the composer does.
					parentId = detail.branch.at(-1)?.message.id ?? null;
				} else {
					const target = pick(byId(detail.messages.filter((m) => m.role === 'user')), command.msg);
					if (!target) return 'no message to edit';
					parentId = target.parentId;
				}
				const note = await this.sendMessage(device, conversation.id, parentId, command.t === 'send' ? 'Hello' : 'Edited', command.reply);
				await device.settle();
				return note;
			}
			case 'cancel': {
				// Any reply this device knows of, in any conversation: the Stop button of whichever is shown.
				const db = device.store.db;
				const stored = (await db.generations.toCollection().primaryKeys()) as string[];
				const queued = (await db.outbox.toArray()).flatMap((e) => (e.name === 'generation.request' ? [e.args.id] : []));
				const generationId = pick([...new Set([...stored, ...queued])].sort(), command.msg);
				if (!generationId) return 'no reply';
				await device.enqueue('generation.cancel', { id: generationId });
				await device.settle();
				return generationId;
			}
			case 'setActiveLeaf':
			case 'deleteMessage': {
				const conversation = await this.pickConversation(device, command.pick);
				if (!conversation) return 'no conversation';
				const detail = await readConversation(device.store.db, conversation.id);
				if (!detail) throw new Error('listed conversation has no detail');
				const target = pick(byId([...detail.messages]), command.msg);
				if (!target) return 'no message';
				if (command.t === 'setActiveLeaf') await device.enqueue('conversation.setActiveLeaf', { id: conversation.id, leafId: target.id });
				else await device.enqueue('message.delete', { id: target.id });
				await device.settle();
				return target.id;
			}
			case 'deliver':
				await device.deliver(command.fault, command.answer);
				return device.link.pending ? `next: ${device.link.pending.kind}` : device.engine.state.status;
			case 'deliverPair': {
				const other = this.devices[command.e % this.devices.length];
				if (!other || other === device) return 'the same device';
				const kinds = `${device.link.pending?.kind ?? 'nothing'} + ${other.link.pending?.kind ?? 'nothing'}`;
				if (!device.link.pending || !other.link.pending) return `no pair: ${kinds}`;
				await Promise.all([device.link.deliver('ok'), other.link.deliver('ok')]);
				await device.settle();
				await other.settle();
				// The other device's store changed too.
				await this.checkNoneReturns(other);
				await this.checkAcknowledgedShown(other);
				return `${kinds} with ${other.name}`;
			}
			case 'deliverLate': {
				const response = await device.link.deliverLate(command.pick);
				return response ? `late push → ${JSON.stringify(response)}` : 'nothing held';
			}
			case 'sync':
				device.engine.poke();
				await device.settle();
				await device.syncFully();
				return device.engine.state.status;
			case 'timers':
				await device.fireTimers();
				return device.engine.state.status;
			case 'poke':
				await device.poke();
				return device.engine.state.status;
			case 'partition':
				device.link.partitioned = true;
				return '';
			case 'heal': {
				device.link.partitioned = false;
				device.onlineEvents.dispatchEvent(new Event('online'));
				await device.settle();
				return device.engine.state.status;
			}
			case 'signOut':
				device.link.signedOut = true;
				return '';
			case 'signIn':
				device.link.signedOut = false;
				device.engine.resume();
				await device.settle();
				return device.engine.state.status;
		}
	}

	/** A new conversation, with a first message (and maybe a reply) unless `first` is null. */
	private async createConversation(device: Device, title: string, first: Reply | null): Promise<{ id: string; note: string }> {
		const id = this.id('c');
		await device.enqueue('conversation.create', { id, model: MODEL, title, createdAt: this.now() });
		const note = first === null ? '' : `, ${await this.sendMessage(device, id, null, 'First', first)}`;
		await device.settle();
		return { id, note: `${id}${note}` };
	}

	/**
	 * Export file `file` of this history imported (the same ids each time, as importing one file
	 * twice does): a question with two answers, or with `extended` also a follow-up and its answer.
	 */
	private async importFile(device: Device, file: number, extended: boolean): Promise<string> {
		const at = 1_700_000_000_000 + file * 10_000;
		const id = `${this.prefix}x${file}`;
		const m = (name: string) => `${id}${name}`;
		const messages = [
			{ id: m('q'), parentId: null, role: 'user' as const, content: `Imported question ${file}`, model: null, createdAt: at },
			{ id: m('a'), parentId: m('q'), role: 'assistant' as const, content: 'An answer', model: MODEL, createdAt: at + 1 },
			{ id: m('b'), parentId: m('q'), role: 'assistant' as const, content: 'A regenerated answer', model: MODEL, createdAt: at + 2 },
			...(extended
				? [
						{ id: m('f'), parentId: m('a'), role: 'user' as const, content: 'A follow-up', model: null, createdAt: at + 3 },
						{ id: m('g'), parentId: m('f'), role: 'assistant' as const, content: 'Its answer', model: MODEL, createdAt: at + 4 }
					]
				: [])
		];
		await device.enqueue('conversation.import', { id, title: `Imported ${file}`, model: MODEL, createdAt: at, updatedAt: at + 5 });
		await device.enqueue('message.import', { conversationId: id, messages });
		await device.settle();
		return `${id} with ${messages.length} messages`;
	}

	/** A long linear conversation imported in full batches: more rows than one pull page holds. */
	private async importBig(device: Device): Promise<string> {
		// Once per history: each costs every device a few hundred stored rows.
		if (this.bigImports++ > 0) return 'no second big import';
		const id = this.id('big');
		const at = 1_700_100_000_000;
		await device.enqueue('conversation.import', { id, title: 'A long one', model: MODEL, createdAt: at, updatedAt: at });
		const count = PULL_PAGE_ROWS + 2 * IMPORT_BATCH_MAX;
		for (let start = 0; start < count; start += IMPORT_BATCH_MAX) {
			const messages = Array.from({ length: IMPORT_BATCH_MAX }, (_, k) => {
				const i = start + k;
				return { id: `${id}-${i}`, parentId: i === 0 ? null : `${id}-${i - 1}`, role: i % 2 === 0 ? ('user' as const) : ('assistant' as const), content: `Line ${i}`, model: null, createdAt: at + i };
			});
			await device.enqueue('message.import', { conversationId: id, messages });
		}
		await device.settle();
		return `${id} with ${count} messages`;
	}

	private async sendMessage(device: Device, conversationId: string, parentId: string | null, word: string, reply: Reply): Promise<string> {
		const messageId = this.id('m');
		const content = `${word} ${messageId} ${reply === 'slow' ? SLOW : QUICK}`;
		await device.enqueue('message.create', { id: messageId, conversationId, parentId, content, createdAt: this.now() });
		if (reply === 'none') return `${messageId} under ${parentId}`;
		const generationId = this.id('g');
		const assistantMessageId = this.id('a');
		await device.enqueue('generation.request', { id: generationId, conversationId, userMessageId: messageId, assistantMessageId, createdAt: this.now() });
		return `${messageId} under ${parentId}, ${reply} reply ${generationId} into ${assistantMessageId}`;
	}

	/** The second user's device queues a change to one of the first user's rows (or takes one of their ids). */
	private async intrude(kind: Intrusion, index: number): Promise<string> {
		const intruder = this.intruder;
		if (!intruder) return 'no second user';
		const db = this.server.db;
		const owner = this.firstUser;
		const theirConversation = pick(byId(db.select().from(conversations).where(eq(conversations.userId, owner)).all()), index);
		const theirMessage = pick(byId(db.select().from(messages).where(eq(messages.userId, owner)).all()), index);
		const theirReply = pick(byId(db.select().from(generations).where(eq(generations.userId, owner)).all()), index);
		const mine = pick(byId(await readConversationList(intruder.store.db)), index);
		const now = this.now();
		const queue = async (run: () => Promise<number>, target: string) => {
			await run();
			await intruder.settle();
			return `${kind} ${target}`;
		};
		switch (kind) {
			case 'rename':
				if (!theirConversation) return 'nothing to intrude on';
				return queue(() => intruder.enqueue('conversation.rename', { id: theirConversation.id, title: 'Mine now' }, REFUSED), theirConversation.id);
			case 'pin':
				if (!theirConversation) return 'nothing to intrude on';
				return queue(() => intruder.enqueue('conversation.pin', { id: theirConversation.id, pinned: true }, REFUSED), theirConversation.id);
			case 'delete':
				if (!theirConversation) return 'nothing to intrude on';
				return queue(() => intruder.enqueue('conversation.delete', { id: theirConversation.id }, REFUSED), theirConversation.id);
			case 'createWithTheirId':
				if (!theirConversation) return 'nothing to intrude on';
				return queue(() => intruder.enqueue('conversation.create', { id: theirConversation.id, model: MODEL, title: 'Mine now', createdAt: now }, REFUSED), theirConversation.id);
			case 'messageInTheirs':
				if (!theirConversation) return 'nothing to intrude on';
				return queue(
					() => intruder.enqueue('message.create', { id: this.id('m'), conversationId: theirConversation.id, parentId: null, content: `Intruding ${QUICK}`, createdAt: now }, REFUSED),
					theirConversation.id
				);
			case 'messageWithTheirId':
				if (!theirMessage || !mine) return 'nothing to intrude on';
				return queue(
					() => intruder.enqueue('message.create', { id: theirMessage.id, conversationId: mine.id, parentId: null, content: `Taking an id ${QUICK}`, createdAt: now }, { freedBy: theirMessage.conversationId }),
					theirMessage.id
				);
			case 'deleteTheirMessage':
				if (!theirMessage) return 'nothing to intrude on';
				// Once their conversation is deleted the id is free, and may be the intruder's own message by now.
				return queue(() => intruder.enqueue('message.delete', { id: theirMessage.id }, { freedBy: theirMessage.conversationId }), theirMessage.id);
			case 'setTheirLeaf':
				if (!theirMessage) return 'nothing to intrude on';
				return queue(() => intruder.enqueue('conversation.setActiveLeaf', { id: theirMessage.conversationId, leafId: theirMessage.id }, REFUSED), theirMessage.id);
			case 'cancelTheirs':
				if (!theirReply) return 'nothing to intrude on';
				return queue(() => intruder.enqueue('generation.cancel', { id: theirReply.id }, REFUSED), theirReply.id);
			case 'replyInTheirs':
				if (!theirMessage || theirMessage.role !== 'user') return 'nothing to intrude on';
				return queue(
					() =>
						intruder.enqueue(
							'generation.request',
							{ id: this.id('g'), conversationId: theirMessage.conversationId, userMessageId: theirMessage.id, assistantMessageId: this.id('a'), createdAt: now },
							REFUSED
						),
					theirMessage.id
				);
		}
	}

	private async pickConversation(device: Device, index: number) {
		return pick(byId(await readConversationList(device.store.db)), index);
	}

	/** Whether an intrusion's taken id is free again: its owner's conversation was deleted. */
	freed(conversationId: string | null): boolean {
		if (conversationId === null) return false;
		return this.server.db.select({ deletedAt: conversations.deletedAt }).from(conversations).where(eq(conversations.id, conversationId)).get()?.deletedAt != null;
	}

	/** The mutations of `device` the server has processed, and which of them it rejected. */
	processed(device: Device): { last: number; rejected: Map<number, string> } {
		const db = this.server.db;
		const client = db.select().from(syncClients).where(eq(syncClients.clientId, device.clientId)).get();
		const rejected = new Map(
			db
				.select()
				.from(syncRejections)
				.where(eq(syncRejections.clientId, device.clientId))
				.all()
				.map((r) => [r.mutationId, r.name] as const)
		);
		if (client) check(client.userId === device.userId, () => `${device.name}: its client id is registered to ${client.userId}`);
		return { last: client?.lastMutationId ?? 0, rejected };
	}

	/** The mutations of `device` the server applied (processed and not rejected). */
	applied(device: Device): Mutation[] {
		const { last, rejected } = this.processed(device);
		return device.enqueued.filter((m) => m.id <= last && !rejected.has(m.id));
	}

	counter(): number {
		return this.server.db.select().from(syncCounter).get()?.version ?? 0;
	}

	/**
	 * What holds after every step: the server never runs ahead of a client's outbox, rejections
	 * name the mutation the client queued under that id, intrusions are refused, an acknowledged
	 * delete is a tombstone on the server for good, and the device that acted (the only one whose
	 * store changed) no longer shows anything deleted at or below its cursor.
	 */
	async checkStep(acting: Device | undefined): Promise<void> {
		const db = this.server.db;
		for (const device of this.devices) {
			const { last, rejected } = this.processed(device);
			check(last <= device.enqueued.length, () => `${device.name}: the server processed mutation #${last} but the device queued only ${device.enqueued.length}`);
			for (const [id, name] of rejected) {
				check(id <= last, () => `${device.name}: mutation #${id} is rejected but the server's last processed is #${last}`);
				check(device.enqueued[id - 1]?.name === name, () => `${device.name}: rejection of #${id} names ${name}, the device queued ${device.enqueued[id - 1]?.name} under that id`);
			}
			for (const [id, freedBy] of device.intrusions) {
				if (id <= last && !rejected.has(id)) check(this.freed(freedBy), () => `${device.name} (${device.userId}): intrusion #${id} ${JSON.stringify(device.enqueued[id - 1])} was applied, not rejected`);
			}
			for (const mutation of device.enqueued) {
				if (mutation.id > last || rejected.has(mutation.id) || device.intrusions.has(mutation.id)) continue;
				if (mutation.name === 'conversation.delete') {
					const row = db.select().from(conversations).where(eq(conversations.id, mutation.args.id)).get();
					check(row && row.userId === device.userId && row.deletedAt !== null, () => `${device.name}: conversation.delete #${mutation.id} of ${mutation.args.id} was acknowledged but the server has ${JSON.stringify(row)}`);
					if (!this.deletedConversations.has(row.id)) this.deletedConversations.set(row.id, row.version);
				}
				if (mutation.name === 'message.delete') {
					// Filtered by owner: once its conversation is deleted, another user may take the id.
					const row = db.select().from(messages).where(and(eq(messages.id, mutation.args.id), eq(messages.userId, device.userId))).get();
					if (row) {
						check(row.userId === device.userId && row.deletedAt !== null && row.content === '', () => `${device.name}: message.delete #${mutation.id} was acknowledged but the server has ${JSON.stringify(row)}`);
						if (!this.deletedMessages.has(row.id)) this.deletedMessages.set(row.id, { conversationId: row.conversationId, version: row.version });
					} else {
						// Gone altogether: only a conversation delete removes messages.
						const conversationId = this.conversationOfMessage(mutation.args.id);
						const conversation = conversationId === undefined ? undefined : db.select().from(conversations).where(eq(conversations.id, conversationId)).get();
						check(conversation && conversation.deletedAt !== null, () => `${device.name}: message ${mutation.args.id} (deleted by #${mutation.id}) vanished from the server without its conversation being deleted`);
						if (!this.deletedMessages.has(mutation.args.id)) this.deletedMessages.set(mutation.args.id, { conversationId: conversation.id, version: conversation.version });
					}
				}
			}
		}
		// Messages of a deleted conversation are removed with it.
		for (const [id, known] of this.deletedMessages) {
			if (!this.deletedConversations.has(known.conversationId)) continue;
			const row = db.select({ id: messages.id }).from(messages).where(and(eq(messages.id, id), eq(messages.conversationId, known.conversationId))).get();
			check(!row, () => `message ${id} of deleted conversation ${known.conversationId} is still on the server`);
		}
		if (acting) {
			await this.checkNoneReturns(acting);
			await this.checkAcknowledgedShown(acting);
		}
	}

	/**
	 * A change that left the device's outbox without being rejected has its effect in the device's
	 * rows (the pull that acknowledges it stores its rows in the same transaction): a created
	 * conversation or message never vanishes from the device's view between the two.
	 */
	async checkAcknowledgedShown(device: Device): Promise<void> {
		const db = device.store.db;
		const queued = new Set((await db.outbox.toCollection().primaryKeys()) as number[]);
		const rejectedHere = new Set((await db.rejections.where('[clientId+mutationId]').between([device.clientId, 0], [device.clientId, Infinity]).toArray()).map((r) => r.mutationId));
		const { rejected } = this.processed(device);
		const cursor = await device.cursor();
		const done = device.enqueued.filter((m) => !queued.has(m.id) && !rejected.has(m.id) && !rejectedHere.has(m.id) && !device.intrusions.has(m.id));
		const conversationIds = new Set<string>();
		const messageIds = new Set<string>();
		for (const m of done) {
			if (m.name === 'conversation.create' || m.name === 'conversation.import') conversationIds.add(m.args.id);
			if (m.name === 'message.create') {
				messageIds.add(m.args.id);
				conversationIds.add(m.args.conversationId);
			}
		}
		const [conversationRows, messageRows] = await Promise.all([db.conversations.bulkGet([...conversationIds]), db.messages.bulkGet([...messageIds])]);
		const storedConversations = new Map(conversationRows.flatMap((c) => (c ? [[c.id, c] as const] : [])));
		const storedMessages = new Set(messageRows.flatMap((m) => (m ? [m.id] : [])));
		for (const m of done) {
			if (m.name === 'conversation.create' || m.name === 'conversation.import') {
				check(storedConversations.has(m.args.id), () => `${device.name} (cursor ${cursor}): #${m.id} ${m.name} ${m.args.id} left the outbox, acknowledged, but the device has no row for it: it vanished from the device's view`);
			} else if (m.name === 'message.create') {
				const conversation = storedConversations.get(m.args.conversationId);
				check(storedMessages.has(m.args.id) || conversation?.deletedAt != null, () => `${device.name} (cursor ${cursor}): #${m.id} message.create ${m.args.id} left the outbox, acknowledged, but the device has neither the message nor its conversation's tombstone: it vanished from the device's view`);
			}
		}
	}

	/** The device shows no conversation or message whose delete it has pulled. */
	async checkNoneReturns(device: Device): Promise<void> {
		const cursor = await device.cursor();
		const mine = (id: string) => this.server.db.select({ userId: conversations.userId }).from(conversations).where(eq(conversations.id, id)).get()?.userId === device.userId;
		const shown = new Set((await readConversationList(device.store.db)).map((c) => c.id));
		for (const [id, version] of this.deletedConversations) {
			if (version > cursor || !mine(id)) continue;
			check(!shown.has(id), () => `${device.name} (cursor ${cursor}) still lists conversation ${id}, deleted at version ${version}`);
			check((await readConversation(device.store.db, id)) === null, () => `${device.name} (cursor ${cursor}) still opens conversation ${id}, deleted at version ${version}`);
		}
		for (const [id, { conversationId, version }] of this.deletedMessages) {
			// Deleting a conversation removes its messages, tombstones too: from then on the conversation's
			// tombstone carries their deletes, and a device pulling afterwards learns of them there.
			const purged = this.server.db.select({ deletedAt: conversations.deletedAt, version: conversations.version }).from(conversations).where(eq(conversations.id, conversationId)).get();
			const carriedAt = purged?.deletedAt != null ? Math.max(version, purged.version) : version;
			if (carriedAt > cursor || !shown.has(conversationId)) continue;
			const detail = await readConversation(device.store.db, conversationId);
			check(!detail?.messages.some((m) => m.id === id), () => `${device.name} (cursor ${cursor}) still shows message ${id}, deleted at version ${version}`);
		}
	}

	/** Heals the network, delivers what it held, and syncs every device until nothing changes; waits for replies to end. */
	async quiesce(): Promise<void> {
		for (const device of this.devices) while (device.link.late.length > 0) await device.link.deliverLate(0);
		for (const device of this.devices) await device.drain();
		for (let round = 0; round < 20; round++) {
			await this.serverIdle();
			// Devices drained before another one pushed, or before a reply ended, are behind: they sync again.
			const counter = this.counter();
			const behind: Device[] = [];
			for (const device of this.devices) {
				if ((await device.cursor()) < counter || (await device.store.db.outbox.count()) > 0) behind.push(device);
			}
			if (behind.length === 0 && this.server.services.jobs.runningCount === 0) return;
			for (const device of behind) await device.drain();
		}
		throw new ModelFailure(`the devices did not converge: outboxes ${JSON.stringify(await Promise.all(this.devices.map((d) => d.store.db.outbox.count())))}, states ${JSON.stringify(this.devices.map((d) => d.engine.state))}`);
	}

	/** Waits (wall clock: replies run on real time) until no reply runs and no settlement is pending. */
	async serverIdle(): Promise<void> {
		const deadline = Date.now() + 20_000;
		for (;;) {
			const { jobs, metering } = this.server.services;
			if (jobs.runningCount === 0 && metering.pendingSettlements.size === 0) break;
			if (Date.now() > deadline) throw new ModelFailure(`replies still running after 20 s: ${jobs.runningCount} jobs, ${metering.pendingSettlements.size} settlements`);
			await new Promise((resolve) => setTimeout(resolve, 2));
		}
		// Writes queued by the last settlement commit on the next turn.
		await new Promise((resolve) => setImmediate(resolve));
	}

	/** The conversation a message was created in, by whichever device created it. */
	conversationOfMessage(id: string): string | undefined {
		for (const device of this.devices) {
			for (const m of device.enqueued) {
				if (m.name === 'message.create' && m.args.id === id) return m.args.conversationId;
				if (m.name === 'generation.request' && m.args.assistantMessageId === id) return m.args.conversationId;
				if (m.name === 'message.import' && m.args.messages.some((x) => x.id === id)) return m.args.conversationId;
			}
		}
		return undefined;
	}

	/** Rows of `userId` in a synced table, straight from SQLite. */
	ownerOf(table: 'conversations' | 'messages' | 'generations', id: string): string | undefined {
		const db = this.server.db;
		if (table === 'conversations') return db.select({ u: conversations.userId }).from(conversations).where(eq(conversations.id, id)).get()?.u;
		if (table === 'messages') return db.select({ u: messages.userId }).from(messages).where(eq(messages.id, id)).get()?.u;
		return db.select({ u: generations.userId }).from(generations).where(and(eq(generations.id, id))).get()?.u;
	}
}

function pick<T>(items: readonly T[], index: number): T | undefined {
	return items.length === 0 ? undefined : items[index % items.length];
}
