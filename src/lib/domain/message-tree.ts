import type { MessageId } from './ids';

type TreeNode = { readonly id: MessageId; readonly parentId: MessageId | null };

/**
 * The branch from the root down to `leafId`, root first. Rows arrive from sync in any order and
 * may be incomplete, so a missing parent ends the walk (the path starts at the oldest known
 * ancestor) and a cycle ends it too instead of looping. An unknown leaf gives [].
 * Pass a Map when calling repeatedly so the index is not rebuilt each time.
 */
export function pathToLeaf<M extends TreeNode>(
	messages: Iterable<M> | ReadonlyMap<MessageId, M>,
	leafId: MessageId
): M[] {
	const byId =
		messages instanceof Map
			? (messages as ReadonlyMap<MessageId, M>)
			: indexById(messages as Iterable<M>);
	const path: M[] = [];
	const seen = new Set<MessageId>();
	let current = byId.get(leafId);
	while (current !== undefined && !seen.has(current.id)) {
		seen.add(current.id);
		path.push(current);
		current = current.parentId === null ? undefined : byId.get(current.parentId);
	}
	return path.reverse();
}

function indexById<M extends TreeNode>(messages: Iterable<M>): Map<MessageId, M> {
	const byId = new Map<MessageId, M>();
	for (const message of messages) byId.set(message.id, message);
	return byId;
}
