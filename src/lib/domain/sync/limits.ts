// The protocol's limits, apart from its schemas: a client can read them without loading zod.

/** Most mutations in one push; a client with more sends several pushes. */
export const PUSH_MAX_MUTATIONS = 100;
/** A push body stays under this (the server accepts 4 MiB): pushes split by size as well as by count. */
export const PUSH_MAX_BYTES = 2 * 1024 * 1024;
/** Most rows in one pull page; the client asks again while `more` is true. */
export const PULL_PAGE_ROWS = 500;

export const CONVERSATION_TITLE_MAX = 200;
export const SYSTEM_PROMPT_MAX = 20_000;
export const FALLBACK_MODELS_MAX = 5;

export const MESSAGE_CONTENT_MAX = 100_000;
/** Imported replies can be long (a model's output is not bounded like a person's message). */
export const IMPORTED_CONTENT_MAX = 500_000;
/** Messages per message.import: a push body stays within the server's 2 MiB limit for ordinary text. */
export const IMPORT_BATCH_MAX = 50;
