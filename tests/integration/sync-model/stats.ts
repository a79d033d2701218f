import { eq } from 'drizzle-orm';
import { generations } from '../../../server/db/schema';
import type { History } from './history';

/** What the histories of a run exercised, summed: printed once, so a run that tests nothing shows it. */
export class RunStats {
	histories = 0;
	steps = 0;
	private readonly counts = new Map<string, number>();

	add(key: string, n = 1): void {
		if (n !== 0) this.counts.set(key, (this.counts.get(key) ?? 0) + n);
	}

	record(history: History): void {
		this.histories++;
		this.steps += history.trace.length;
		for (const line of history.trace) {
			const type = /"t":"(\w+)"/.exec(line)?.[1] ?? '?';
			this.add(`steps ${type}`);
			if (/→ (no |nothing)/.test(line)) this.add(`steps ${type} without effect`);
		}
		for (const device of history.devices) {
			const { last, rejected } = history.processed(device);
			this.add('mutations', device.enqueued.length);
			this.add('mutations processed', last);
			this.add('mutations rejected', rejected.size);
			this.add('intrusions', device.intrusions.size);
			for (const m of device.enqueued) this.add(`queued ${m.name}`);
			for (const [what, n] of device.link.delivered) this.add(`delivered ${what}`, n);
		}
		for (const userId of history.users()) {
			for (const g of history.server.db.select({ state: generations.state }).from(generations).where(eq(generations.userId, userId)).all()) this.add(`replies ${g.state}`);
		}
		this.add('conversation deletes seen', history.deletedConversations.size);
		this.add('message deletes seen', history.deletedMessages.size);
		this.add('histories with a second user', history.secondUser ? 1 : 0);
		this.add('server restarts', history.trace.filter((t) => t.includes('"restart"')).length);
	}

	/** One line; every count with `detailed`. */
	summary(detailed: boolean): string {
		const n = (key: string) => this.counts.get(key) ?? 0;
		const faults = [...this.counts.entries()].filter(([k]) => k.startsWith('delivered ') && !k.startsWith('delivered ok ') && k !== 'delivered pull pages with more').reduce((sum, [, v]) => sum + v, 0);
		const line =
			`sync model: ${this.histories} histories, ${this.steps} steps, ${n('mutations')} mutations (${n('mutations rejected')} rejected), ` +
			`${faults} faulty deliveries, ${n('server restarts')} restarts, replies ${n('replies done')} done / ${n('replies cancelled')} cancelled / ${n('replies failed')} failed`;
		if (!detailed) return line;
		const lines = [...this.counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `  ${k}: ${v}`);
		return `${line}\n${lines.join('\n')}`;
	}
}
