CREATE TABLE "update_effects" (
	"update_id" bigint NOT NULL,
	"seq" integer NOT NULL,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "update_effects_update_id_seq_pk" PRIMARY KEY("update_id","seq")
);
--> statement-breakpoint
ALTER TABLE "processed_updates" ADD COLUMN "status" text DEFAULT 'done' NOT NULL;--> statement-breakpoint
ALTER TABLE "processed_updates" ADD COLUMN "owner" text;--> statement-breakpoint
ALTER TABLE "processed_updates" ADD COLUMN "owner_pid" integer;--> statement-breakpoint
ALTER TABLE "processed_updates" ADD COLUMN "owner_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "processed_updates" ADD COLUMN "attempts" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "processed_updates" ADD COLUMN "update" jsonb;--> statement-breakpoint
ALTER TABLE "processed_updates" ADD COLUMN "finished_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "processed_updates_handling_idx" ON "processed_updates" USING btree ("update_id") WHERE "processed_updates"."status" = 'handling';