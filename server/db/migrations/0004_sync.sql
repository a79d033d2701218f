CREATE TABLE `sync_clients` (
	`client_id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`last_mutation_id` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`last_seen_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sync_clients_user` ON `sync_clients` (`user_id`);--> statement-breakpoint
CREATE TABLE `sync_counter` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sync_rejections` (
	`client_id` text NOT NULL,
	`mutation_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`reason` text NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`client_id`, `mutation_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sync_rejections_user_version` ON `sync_rejections` (`user_id`,`version`);--> statement-breakpoint
ALTER TABLE `conversations` ADD `system_prompt` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `conversations` ADD `fallback_models` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `conversations` ADD `temperature` real;--> statement-breakpoint
ALTER TABLE `conversations` ADD `max_tokens` integer;--> statement-breakpoint
ALTER TABLE `conversations` ADD `pinned` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `conversations` ADD `archived` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `conversations` ADD `version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `conversations_user_version` ON `conversations` (`user_id`,`version`);--> statement-breakpoint
ALTER TABLE `generations` ADD `cost_source` text;--> statement-breakpoint
ALTER TABLE `generations` ADD `version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `generations_user_version` ON `generations` (`user_id`,`version`);--> statement-breakpoint
ALTER TABLE `messages` ADD `user_id` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `messages` ADD `deleted_at` integer;--> statement-breakpoint
ALTER TABLE `messages` ADD `version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `messages_user_version` ON `messages` (`user_id`,`version`);--> statement-breakpoint
-- Rows that existed before sync get distinct versions above 0, so a first pull (cursor 0) sees them.
UPDATE `messages` SET `user_id` = (SELECT `user_id` FROM `conversations` c WHERE c.`id` = `messages`.`conversation_id`);--> statement-breakpoint
UPDATE `conversations` SET `version` = `rowid`;--> statement-breakpoint
UPDATE `messages` SET `version` = `rowid` + (SELECT coalesce(max(`rowid`), 0) FROM `conversations`);--> statement-breakpoint
UPDATE `generations` SET `version` = `rowid` + (SELECT coalesce(max(`rowid`), 0) FROM `conversations`) + (SELECT coalesce(max(`rowid`), 0) FROM `messages`) WHERE `conversation_id` IS NOT NULL;--> statement-breakpoint
INSERT INTO `sync_counter` (`id`, `version`) VALUES (1, (SELECT max(v) FROM (SELECT coalesce(max(`version`), 0) AS v FROM `conversations` UNION ALL SELECT coalesce(max(`version`), 0) FROM `messages` UNION ALL SELECT coalesce(max(`version`), 0) FROM `generations`)));--> statement-breakpoint
-- Every change that a client must see takes the next value of the one counter. In triggers, so no
-- code path can forget it. A streamed reply's text (messages.content alone) is not versioned: it
-- reaches clients through generation.attach, and the final text is versioned with its status.
CREATE TRIGGER `conversations_version_insert` AFTER INSERT ON `conversations` BEGIN
	UPDATE `sync_counter` SET `version` = `version` + 1 WHERE `id` = 1;
	UPDATE `conversations` SET `version` = (SELECT `version` FROM `sync_counter` WHERE `id` = 1) WHERE `id` = NEW.`id`;
END;--> statement-breakpoint
CREATE TRIGGER `conversations_version_update` AFTER UPDATE OF `title`, `model`, `system_prompt`, `fallback_models`, `temperature`, `max_tokens`, `pinned`, `archived`, `active_leaf_id`, `updated_at`, `deleted_at` ON `conversations` BEGIN
	UPDATE `sync_counter` SET `version` = `version` + 1 WHERE `id` = 1;
	UPDATE `conversations` SET `version` = (SELECT `version` FROM `sync_counter` WHERE `id` = 1) WHERE `id` = NEW.`id`;
END;--> statement-breakpoint
CREATE TRIGGER `messages_version_insert` AFTER INSERT ON `messages` BEGIN
	UPDATE `sync_counter` SET `version` = `version` + 1 WHERE `id` = 1;
	UPDATE `messages` SET `version` = (SELECT `version` FROM `sync_counter` WHERE `id` = 1) WHERE `id` = NEW.`id`;
END;--> statement-breakpoint
CREATE TRIGGER `messages_version_update` AFTER UPDATE OF `status`, `model`, `deleted_at` ON `messages` BEGIN
	UPDATE `sync_counter` SET `version` = `version` + 1 WHERE `id` = 1;
	UPDATE `messages` SET `version` = (SELECT `version` FROM `sync_counter` WHERE `id` = 1) WHERE `id` = NEW.`id`;
END;--> statement-breakpoint
CREATE TRIGGER `generations_version_insert` AFTER INSERT ON `generations` WHEN NEW.`conversation_id` IS NOT NULL BEGIN
	UPDATE `sync_counter` SET `version` = `version` + 1 WHERE `id` = 1;
	UPDATE `generations` SET `version` = (SELECT `version` FROM `sync_counter` WHERE `id` = 1) WHERE `id` = NEW.`id`;
END;--> statement-breakpoint
CREATE TRIGGER `generations_version_update` AFTER UPDATE OF `state`, `model`, `failure_reason`, `tokens_in`, `tokens_out`, `cost_nano_usd`, `cost_source`, `started_at`, `first_token_at`, `finished_at` ON `generations` WHEN NEW.`conversation_id` IS NOT NULL BEGIN
	UPDATE `sync_counter` SET `version` = `version` + 1 WHERE `id` = 1;
	UPDATE `generations` SET `version` = (SELECT `version` FROM `sync_counter` WHERE `id` = 1) WHERE `id` = NEW.`id`;
END;--> statement-breakpoint
CREATE TRIGGER `sync_rejections_version_insert` AFTER INSERT ON `sync_rejections` BEGIN
	UPDATE `sync_counter` SET `version` = `version` + 1 WHERE `id` = 1;
	UPDATE `sync_rejections` SET `version` = (SELECT `version` FROM `sync_counter` WHERE `id` = 1) WHERE `client_id` = NEW.`client_id` AND `mutation_id` = NEW.`mutation_id`;
END;
