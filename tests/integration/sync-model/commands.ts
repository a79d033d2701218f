import fc from 'fast-check';
import { FAULTS, type Fault } from './faulty-link';

/**
 * One step of a history, as plain data (fast-check prints and shrinks it). `d` picks a device
 * (modulo how many there are: the first user's, then the second user's if any); `pick` and `msg`
 * pick a conversation and a message from that device's own view (modulo their number), so every
 * step means something whatever state the history is in.
 */
export type Command =
	| { t: 'create'; d: number; title: string; message: boolean }
	| { t: 'rename'; d: number; pick: number; title: string }
	| { t: 'pin'; d: number; pick: number; on: boolean }
	| { t: 'archive'; d: number; pick: number; on: boolean }
	| { t: 'deleteConversation'; d: number; pick: number }
	| { t: 'import'; d: number; file: number; extended: boolean }
	/** An export too big for one pull page (PULL_PAGE_ROWS): the devices page through it. */
	| { t: 'bigImport'; d: number }
	/** A new device of the first user signs in (at most six). */
	| { t: 'join' }
	| { t: 'send'; d: number; pick: number; reply: Reply }
	| { t: 'edit'; d: number; pick: number; msg: number; reply: Reply }
	| { t: 'setActiveLeaf'; d: number; pick: number; msg: number }
	| { t: 'deleteMessage'; d: number; pick: number; msg: number }
	| { t: 'cancel'; d: number; pick: number; msg: number }
	| { t: 'deliver'; d: number; fault: Fault; answer: 0 | 1 }
	| { t: 'deliverLate'; d: number; pick: number }
	/** Two devices' calls reach the server at the same moment (one group commit for two pushes). */
	| { t: 'deliverPair'; d: number; e: number }
	| { t: 'sync'; d: number }
	| { t: 'timers'; d: number }
	| { t: 'poke'; d: number }
	| { t: 'partition'; d: number }
	| { t: 'heal'; d: number }
	| { t: 'signOut'; d: number }
	| { t: 'signIn'; d: number }
	| { t: 'intrude'; kind: Intrusion; pick: number }
	| { t: 'restart' };

/** What the second user's device tries on the first user's ids: the server must refuse each. */
/** Whether a message asks for a reply: none, a quick one (ends in milliseconds), or a slow one (~100 ms, so it is still running a few steps later). */
export type Reply = 'none' | 'quick' | 'slow';

export const INTRUSIONS = ['rename', 'pin', 'delete', 'createWithTheirId', 'messageInTheirs', 'messageWithTheirId', 'deleteTheirMessage', 'setTheirLeaf', 'cancelTheirs', 'replyInTheirs'] as const;
export type Intrusion = (typeof INTRUSIONS)[number];

export interface HistoryPlan {
	/** Devices of the first user (3–5). */
	devices: number;
	/** A second user with one device: isolation. */
	secondUser: boolean;
	commands: Command[];
}

const d = fc.nat({ max: 59 });
const pick = fc.nat({ max: 59 });
const title = fc.constantFrom('Plans', 'Recipes', 'Trip to Oslo', 'Notes', 'Ideas', 'Budget 2027', '');
const newTitle = fc.constantFrom('Renamed', 'Trip to Bergen', 'Shopping', 'Work', 'Later', 'Z');
/** Replies are kept rare: each starts a real job on the server. */
const reply: fc.Arbitrary<Reply> = fc.oneof({ weight: 6, arbitrary: fc.constant<Reply>('none') }, { weight: 1, arbitrary: fc.constant<Reply>('quick') }, { weight: 1, arbitrary: fc.constant<Reply>('slow') });
const fault: fc.Arbitrary<Fault> = fc.oneof(
	{ weight: 2, arbitrary: fc.constant<Fault>('ok') },
	{ weight: 2, arbitrary: fc.constantFrom<Fault>(...FAULTS.filter((f) => f !== 'ok')) }
);

export function commandArbitrary(restartWeight: number): fc.Arbitrary<Command> {
	return fc.oneof(
		// A person's changes: about half the steps.
		{ weight: 4, arbitrary: fc.record({ t: fc.constant('create' as const), d, title, message: fc.boolean() }) },
		{ weight: 3, arbitrary: fc.record({ t: fc.constant('rename' as const), d, pick, title: newTitle }) },
		{ weight: 2, arbitrary: fc.record({ t: fc.constant('pin' as const), d, pick, on: fc.boolean() }) },
		{ weight: 2, arbitrary: fc.record({ t: fc.constant('archive' as const), d, pick, on: fc.boolean() }) },
		{ weight: 2, arbitrary: fc.record({ t: fc.constant('deleteConversation' as const), d, pick }) },
		{ weight: 2, arbitrary: fc.record({ t: fc.constant('import' as const), d, file: fc.nat({ max: 2 }), extended: fc.boolean() }) },
		{ weight: 1, arbitrary: fc.record({ t: fc.constant('bigImport' as const), d }) },
		{ weight: 10, arbitrary: fc.record({ t: fc.constant('send' as const), d, pick, reply }) },
		{ weight: 3, arbitrary: fc.record({ t: fc.constant('edit' as const), d, pick, msg: pick, reply }) },
		{ weight: 3, arbitrary: fc.record({ t: fc.constant('setActiveLeaf' as const), d, pick, msg: pick }) },
		{ weight: 3, arbitrary: fc.record({ t: fc.constant('deleteMessage' as const), d, pick, msg: pick }) },
		{ weight: 2, arbitrary: fc.record({ t: fc.constant('cancel' as const), d, pick, msg: pick }) },
		// The network and the devices' timers.
		{ weight: 20, arbitrary: fc.record({ t: fc.constant('deliver' as const), d, fault, answer: fc.constantFrom<0 | 1>(0, 1) }) },
		{ weight: 2, arbitrary: fc.record({ t: fc.constant('deliverLate' as const), d, pick }) },
		{ weight: 3, arbitrary: fc.record({ t: fc.constant('deliverPair' as const), d, e: d }) },
		{ weight: 6, arbitrary: fc.record({ t: fc.constant('sync' as const), d }) },
		{ weight: 3, arbitrary: fc.record({ t: fc.constant('timers' as const), d }) },
		{ weight: 1, arbitrary: fc.record({ t: fc.constant('poke' as const), d }) },
		{ weight: 1, arbitrary: fc.record({ t: fc.constant('partition' as const), d }) },
		{ weight: 1, arbitrary: fc.record({ t: fc.constant('heal' as const), d }) },
		{ weight: 1, arbitrary: fc.record({ t: fc.constant('signOut' as const), d }) },
		{ weight: 1, arbitrary: fc.record({ t: fc.constant('signIn' as const), d }) },
		{ weight: 3, arbitrary: fc.record({ t: fc.constant('intrude' as const), kind: fc.constantFrom(...INTRUSIONS), pick }) },
		{ weight: 1, arbitrary: fc.constant({ t: 'join' as const }) },
		...(restartWeight > 0 ? [{ weight: restartWeight, arbitrary: fc.constant({ t: 'restart' as const }) }] : [])
	);
}

export function historyArbitrary(options: { minCommands: number; maxCommands: number; restartWeight: number }): fc.Arbitrary<HistoryPlan> {
	return fc.record({
		devices: fc.integer({ min: 3, max: 5 }),
		secondUser: fc.nat({ max: 2 }).map((n) => n > 0),
		commands: fc.array(commandArbitrary(options.restartWeight), { minLength: options.minCommands, maxLength: options.maxCommands })
	});
}
