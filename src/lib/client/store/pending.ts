/**
 * What the UI shows: server rows with the outbox applied on top, in mutation order. Pure functions
 * of (rows, outbox), so they run inside a liveQuery and always agree with the database. The rules
 * mirror the server's, so a change looks the same before and after it is acknowledged. An entry
 * leaves the outbox in the same transaction that stores its effect (or its rejection), so the view
 * never flickers between the two.
 */
export { viewConversation, viewConversations, type ConversationView } from './pending-conversations';
export { viewMessages, type MessageView } from './pending-messages';
export { latestLeaf, siblingsOf, visibleBranch, type BranchStep } from './branch';
