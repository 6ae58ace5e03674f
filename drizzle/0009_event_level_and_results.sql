-- The self-assessment indicators (order № 1324, приложение 5, 1.8–1.11) count mass events by level,
-- the winners and prize-winners of contests, and the students in projects. Events recorded before this
-- migration are the institution's own ("institutional") and count without results: their winners,
-- prize-winners and project students stay empty, never zero. Contests are competitions by their format.
CREATE TYPE "public"."event_level" AS ENUM('institutional', 'municipal', 'regional', 'interregional', 'federal', 'international');--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "level" "event_level" DEFAULT 'institutional' NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "competition" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "winners" integer;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "prize_winners" integer;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "project_students" integer;--> statement-breakpoint
UPDATE "events" SET "competition" = true WHERE "format" = 'contest';
