import { z } from 'zod';
import { Username } from './credentials';
import { EpochMs } from './epoch-ms';
import { UserId } from './ids';

// Username (trimmed, 1–64 ASCII letters/digits/._-) is shared with the login and setup forms.
export const User = z.object({
	id: UserId,
	username: Username,
	isAdmin: z.boolean(),
	createdAt: EpochMs
});
export type User = z.infer<typeof User>;
