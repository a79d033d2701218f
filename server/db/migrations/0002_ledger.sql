CREATE TABLE `budget_alerts` (
	`budget_id` text NOT NULL,
	`period_key` text NOT NULL,
	`threshold` integer NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`budget_id`, `period_key`, `threshold`),
	FOREIGN KEY (`budget_id`) REFERENCES `budgets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `budgets` (
	`id` text PRIMARY KEY NOT NULL,
	`scope` text NOT NULL,
	`scope_id` text NOT NULL,
	`period` text NOT NULL,
	`limit_nano_usd` integer NOT NULL,
	`alert_thresholds` text NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `budgets_scope` ON `budgets` (`scope`,`scope_id`);--> statement-breakpoint
CREATE TABLE `ledger_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`generation_id` text,
	`user_id` text NOT NULL,
	`team_id` text,
	`kind` text NOT NULL,
	`amount_nano_usd` integer NOT NULL,
	`source` text,
	`model` text,
	`tokens_in` integer,
	`tokens_out` integer,
	`period_at` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_once_per_generation` ON `ledger_entries` (`generation_id`,`kind`) WHERE kind IN ('reservation', 'release', 'charge');--> statement-breakpoint
CREATE INDEX `ledger_user_time` ON `ledger_entries` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `models` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`context_length` integer,
	`max_completion_tokens` integer,
	`modality` text,
	`prompt_price` text NOT NULL,
	`completion_price` text NOT NULL,
	`request_price` text DEFAULT '0' NOT NULL,
	`fetched_at` integer NOT NULL,
	`removed_at` integer
);
--> statement-breakpoint
CREATE TABLE `spend_counters` (
	`scope` text NOT NULL,
	`period_key` text NOT NULL,
	`spent_nano_usd` integer DEFAULT 0 NOT NULL,
	`reserved_nano_usd` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`scope`, `period_key`)
);
--> statement-breakpoint
CREATE TABLE `team_members` (
	`team_id` text NOT NULL,
	`user_id` text NOT NULL,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `team_members_user` ON `team_members` (`user_id`);--> statement-breakpoint
CREATE INDEX `team_members_team` ON `team_members` (`team_id`);--> statement-breakpoint
CREATE TABLE `teams` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `teams_name` ON `teams` (`name`);--> statement-breakpoint
ALTER TABLE `generations` ADD `origin` text DEFAULT 'app' NOT NULL;--> statement-breakpoint
ALTER TABLE `generations` ADD `max_tokens` integer;