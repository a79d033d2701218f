// Import and export of conversations: plain modules for the UI to call.
export { deriveId, type ImportSource } from './derive-id';
export { exportAllJson } from './export-json';
export { conversationFilename, exportAllFilename, exportConversationMarkdown, type MarkdownOptions } from './markdown';
export { ImportFileError, parseImportFile, type ParsedImport } from './parse';
export { PhosphorExport, PHOSPHOR_EXPORT_FORMAT, PHOSPHOR_EXPORT_VERSION } from './phosphor-format';
export { planImport, type ImportPlan, type ImportSummary, type PlannedConversation, type PlannedMutation, type PlanOptions } from './plan';
export { readExistingConversationIds, runImport, type ImportProgress, type ImportResult } from './run';
