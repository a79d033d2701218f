CREATE TABLE `ledger_records` (
	`id` integer PRIMARY KEY NOT NULL,
	`generation_id` text,
	`user_id` text NOT NULL,
	`team_id` text,
	`kind` text NOT NULL,
	`amount_nano_usd` integer NOT NULL,
	`released_nano_usd` integer,
	`source` text,
	`model` text,
	`tokens_in` integer,
	`tokens_out` integer,
	`period_at` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_records_once` ON `ledger_records` (`generation_id`,`kind`) WHERE kind IN ('reservation', 'settlement');--> statement-breakpoint
CREATE INDEX `ledger_records_user_time` ON `ledger_records` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `ledger_records_corrections` ON `ledger_records` (`generation_id`) WHERE kind = 'correction';--> statement-breakpoint
-- Entries written before this migration: reservations and corrections as they were, each release and
-- its charge folded into one settlement row (keeping the charge's id, which is above its reservation's).
INSERT INTO `ledger_records` (`id`, `generation_id`, `user_id`, `team_id`, `kind`, `amount_nano_usd`, `released_nano_usd`, `source`, `model`, `tokens_in`, `tokens_out`, `period_at`, `created_at`)
SELECT `id`, `generation_id`, `user_id`, `team_id`, `kind`, `amount_nano_usd`, NULL, `source`, `model`, `tokens_in`, `tokens_out`, `period_at`, `created_at`
FROM `ledger_entries` WHERE `kind` IN ('reservation', 'correction')
UNION ALL
SELECT c.`id`, c.`generation_id`, c.`user_id`, c.`team_id`, 'settlement', c.`amount_nano_usd`, coalesce(-r.`amount_nano_usd`, 0), c.`source`, c.`model`, c.`tokens_in`, c.`tokens_out`, c.`period_at`, c.`created_at`
FROM `ledger_entries` c LEFT JOIN `ledger_entries` r ON r.`generation_id` = c.`generation_id` AND r.`kind` = 'release'
WHERE c.`kind` = 'charge';--> statement-breakpoint
DROP TABLE `ledger_entries`;--> statement-breakpoint
-- Running totals now live in the server's memory, summed from the ledger at boot.
DROP TABLE `spend_counters`;--> statement-breakpoint
-- The ledger as entries (reservation, release, charge, correction), as it was written before, for
-- reports, exports and anyone reading the file: a settlement shows as its release and its charge.
CREATE VIEW `ledger_entries` AS
SELECT `id` * 2 AS `id`, `generation_id`, `user_id`, `team_id`, `kind`, `amount_nano_usd`, `source`, `model`, `tokens_in`, `tokens_out`, `period_at`, `created_at`
FROM `ledger_records` WHERE `kind` IN ('reservation', 'correction')
UNION ALL
SELECT s.`id` * 2, s.`generation_id`, s.`user_id`, s.`team_id`, 'release', -s.`released_nano_usd`, NULL,
	(SELECT r.`model` FROM `ledger_records` r WHERE r.`generation_id` = s.`generation_id` AND r.`kind` = 'reservation' AND r.kind IN ('reservation', 'settlement')),
	NULL, NULL, s.`period_at`, s.`created_at`
FROM `ledger_records` s WHERE s.`kind` = 'settlement'
UNION ALL
SELECT `id` * 2 + 1, `generation_id`, `user_id`, `team_id`, 'charge', `amount_nano_usd`, `source`, `model`, `tokens_in`, `tokens_out`, `period_at`, `created_at`
FROM `ledger_records` WHERE `kind` = 'settlement';