/** Export commands; filled in with the import-export module. */
export const exportActions = {
	conversationMarkdown: async (): Promise<void> => {},
	allJson: async (): Promise<void> => {}
};
