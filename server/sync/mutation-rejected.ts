/**
 * A mutation the server will not apply: bad arguments, or something the caller does not own.
 * The message is shown to the person whose device sent it, so it is written for them. Ownership
 * failures read like missing rows: another user's ids are never confirmed to exist.
 */
export class MutationRejected extends Error {
	override name = 'MutationRejected';
}

export const notFound = (what: string) => new MutationRejected(`That ${what} does not exist, or was deleted.`);
