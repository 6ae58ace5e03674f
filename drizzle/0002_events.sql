CREATE TYPE "public"."audience_category" AS ENUM('gifted', 'disabilities', 'career_guidance', 'general');--> statement-breakpoint
CREATE TYPE "public"."confirmation_answer" AS ENUM('confirmed', 'declined', 'other_time');--> statement-breakpoint
CREATE TYPE "public"."event_decision" AS ENUM('approved', 'rejected', 'changes_requested');--> statement-breakpoint
CREATE TYPE "public"."event_notice_kind" AS ENUM('reminder_day_before', 'held_question');--> statement-breakpoint
CREATE TYPE "public"."event_status" AS ENUM('proposed', 'changes_requested', 'approved', 'rejected', 'cancelled', 'held', 'closed');--> statement-breakpoint
CREATE TABLE "event_confirmations" (
	"event_id" integer NOT NULL,
	"contact_id" integer NOT NULL,
	"answer" "confirmation_answer" NOT NULL,
	"comment" text,
	"answered_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "event_confirmations_event_id_contact_id_pk" PRIMARY KEY("event_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "event_decisions" (
	"id" serial PRIMARY KEY NOT NULL,
	"event_id" integer NOT NULL,
	"decision" "event_decision" NOT NULL,
	"comment" text,
	"decided_by" integer NOT NULL,
	"decided_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "event_notices" (
	"event_id" integer NOT NULL,
	"kind" "event_notice_kind" NOT NULL,
	"user_id" integer NOT NULL,
	"for_starts_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered" boolean DEFAULT true NOT NULL,
	CONSTRAINT "event_notices_event_id_kind_user_id_for_starts_at_pk" PRIMARY KEY("event_id","kind","user_id","for_starts_at")
);
--> statement-breakpoint
CREATE TABLE "event_partners" (
	"event_id" integer NOT NULL,
	"partner_id" integer NOT NULL,
	CONSTRAINT "event_partners_event_id_partner_id_pk" PRIMARY KEY("event_id","partner_id")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" serial PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"format" "event_format" NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"place" text,
	"age_from" integer,
	"age_to" integer,
	"categories" "audience_category"[] DEFAULT '{}'::audience_category[] NOT NULL,
	"expected_participants" integer,
	"responsible_user_id" integer NOT NULL,
	"owner_unit_id" integer,
	"plan_item_id" integer,
	"status" "event_status" DEFAULT 'proposed' NOT NULL,
	"proposed_by" integer NOT NULL,
	"participants_gifted" integer,
	"participants_disabilities" integer,
	"participants_career_guidance" integer,
	"participants_other" integer,
	"result" text,
	"cancel_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "event_confirmations" ADD CONSTRAINT "event_confirmations_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_confirmations" ADD CONSTRAINT "event_confirmations_contact_id_partner_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."partner_contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_decisions" ADD CONSTRAINT "event_decisions_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_decisions" ADD CONSTRAINT "event_decisions_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_notices" ADD CONSTRAINT "event_notices_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_notices" ADD CONSTRAINT "event_notices_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_partners" ADD CONSTRAINT "event_partners_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_partners" ADD CONSTRAINT "event_partners_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_responsible_user_id_users_id_fk" FOREIGN KEY ("responsible_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_owner_unit_id_units_id_fk" FOREIGN KEY ("owner_unit_id") REFERENCES "public"."units"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_plan_item_id_plan_items_id_fk" FOREIGN KEY ("plan_item_id") REFERENCES "public"."plan_items"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_proposed_by_users_id_fk" FOREIGN KEY ("proposed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "event_decisions_event_id_index" ON "event_decisions" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "event_partners_partner_id_index" ON "event_partners" USING btree ("partner_id");--> statement-breakpoint
CREATE INDEX "events_starts_at_index" ON "events" USING btree ("starts_at");--> statement-breakpoint
CREATE INDEX "events_status_index" ON "events" USING btree ("status");--> statement-breakpoint
CREATE INDEX "events_responsible_user_id_index" ON "events" USING btree ("responsible_user_id");--> statement-breakpoint
ALTER TABLE "plan_items" DROP COLUMN "event_id";