import type { MessageId } from '../../domain/ids';
import { pathToLeaf } from '../../domain/message-tree';

/** What branch navigation needs of a message. Sync rows use plain string ids (RowId), not MessageId. */
export interface TreeMessage {
	readonly id: string;
	readonly parentId: string | null;
	readonly createdAt: number;
}

/** One message of the visible branch, with its alternatives (edits or regenerations) for "‹ 2/3 ›". */
export interface BranchStep<M extends TreeMessage> {
	readonly message: M;
	/** Ids of the children of the same parent, oldest first, this message included. */
	readonly siblingIds: readonly string[];
	/** This message's position in siblingIds. */
	readonly index: number;
}

const byAge = (a: TreeMessage, b: TreeMessage) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Children of each parent (null: the roots), oldest first. Build once per render, then look up. */
export function childrenByParent<M extends TreeMessage>(messages: Iterable<M>): Map<string | null, M[]> {
	const children = new Map<string | null, M[]>();
	for (const message of messages) {
		const list = children.get(message.parentId);
		if (list) list.push(message);
		else children.set(message.parentId, [message]);
	}
	for (const list of children.values()) list.sort(byAge);
	return children;
}

/** The messages sharing `messageId`'s parent, oldest first, itself included; [] for an unknown id. */
export function siblingsOf<M extends TreeMessage>(messages: readonly M[], messageId: string): M[] {
	const message = messages.find((m) => m.id === messageId);
	if (message === undefined) return [];
	return messages.filter((m) => m.parentId === message.parentId).sort(byAge);
}

/**
 * The leaf reached from `fromId` by always taking the newest child: where to point activeLeafId
 * when a person switches to a sibling branch. Returns `fromId` itself when it has no children.
 */
export function latestLeaf<M extends TreeMessage>(messages: Iterable<M>, fromId: string): string {
	return descend(childrenByParent(messages), fromId);
}

/** `id` when live, else its nearest live ancestor; null when none is known. */
function liveAncestor(live: ReadonlyMap<string, TreeMessage>, id: string, parentOf: (id: string) => string | null | undefined): string | null {
	const seen = new Set<string>();
	for (let at: string | null | undefined = id; at != null && !seen.has(at); at = parentOf(at)) {
		if (live.has(at)) return at;
		seen.add(at);
	}
	return null;
}

function descend(children: ReadonlyMap<string | null, readonly TreeMessage[]>, fromId: string): string {
	const seen = new Set([fromId]); // a cycle in bad data must not loop
	let id = fromId;
	for (;;) {
		const newest = children.get(id)?.at(-1);
		if (newest === undefined || seen.has(newest.id)) return id;
		seen.add(newest.id);
		id = newest.id;
	}
}

/**
 * The branch to show, root first, ending at `activeLeafId`. When that leaf is not among the
 * messages because it was deleted, the branch ends at its nearest live ancestor, as the server
 * will set it (pass `parentOf`, which knows deleted messages' parents). Otherwise (not synced yet)
 * the branch of the newest message is shown, so a conversation with messages never looks empty.
 */
export function visibleBranch<M extends TreeMessage>(
	messages: readonly M[],
	activeLeafId: string | null,
	parentOf: (id: string) => string | null | undefined = () => undefined
): BranchStep<M>[] {
	if (messages.length === 0) return [];
	const byId = new Map(messages.map((m) => [m.id, m]));
	const children = childrenByParent(messages);
	let leaf = activeLeafId === null ? null : liveAncestor(byId, activeLeafId, parentOf);
	if (leaf === null) {
		const newest = messages.reduce((a, b) => (byAge(a, b) >= 0 ? a : b));
		leaf = descend(children, newest.id);
	}
	// pathToLeaf is typed for branded MessageIds; the walk itself only compares ids.
	const path = pathToLeaf(byId as unknown as ReadonlyMap<MessageId, M & { id: MessageId; parentId: MessageId | null }>, leaf as MessageId);
	return path.map((message) => {
		const siblings = children.get(message.parentId) ?? [message];
		const siblingIds = siblings.map((s) => s.id);
		return { message, siblingIds, index: siblingIds.indexOf(message.id) };
	});
}
