CREATE TYPE "public"."age_group" AS ENUM('under_7', '7_10', '11_14', '15_17', '18_plus');--> statement-breakpoint
CREATE TYPE "public"."follow_up_answer" AS ENUM('yes', 'maybe', 'no');--> statement-breakpoint
CREATE TYPE "public"."participant_role" AS ENUM('student', 'parent', 'teacher', 'other');--> statement-breakpoint
CREATE TABLE "feedback_prompts" (
	"id" serial PRIMARY KEY NOT NULL,
	"event_id" integer NOT NULL,
	"partner_id" integer NOT NULL,
	"contact_id" integer,
	"user_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"rating" smallint,
	"follow_up" "follow_up_answer",
	"went_well" text,
	"improve" text,
	"answered_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"reminders_sent" smallint DEFAULT 0 NOT NULL,
	"last_reminded_at" timestamp with time zone,
	"alerted_at" timestamp with time zone,
	CONSTRAINT "feedback_prompts_eventId_contactId_unique" UNIQUE("event_id","contact_id"),
	CONSTRAINT "feedback_prompts_rating_range" CHECK ("feedback_prompts"."rating" between 1 and 5)
);
--> statement-breakpoint
CREATE TABLE "feedback_rounds" (
	"event_id" integer PRIMARY KEY NOT NULL,
	"token" text NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"link_closes_at" timestamp with time zone NOT NULL,
	"prompts_close_at" timestamp with time zone NOT NULL,
	"summary_sent_at" timestamp with time zone,
	CONSTRAINT "feedback_rounds_token_unique" UNIQUE("token")
);
--> statement-breakpoint
CREATE TABLE "participant_feedback" (
	"id" serial PRIMARY KEY NOT NULL,
	"event_id" integer NOT NULL,
	"voter_hash" text NOT NULL,
	"rating" smallint NOT NULL,
	"comment" text,
	"role" "participant_role",
	"age_group" "age_group",
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone,
	"alerted_at" timestamp with time zone,
	CONSTRAINT "participant_feedback_eventId_voterHash_unique" UNIQUE("event_id","voter_hash"),
	CONSTRAINT "participant_feedback_rating_range" CHECK ("participant_feedback"."rating" between 1 and 5)
);
--> statement-breakpoint
ALTER TABLE "feedback_prompts" ADD CONSTRAINT "feedback_prompts_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_prompts" ADD CONSTRAINT "feedback_prompts_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_prompts" ADD CONSTRAINT "feedback_prompts_contact_id_partner_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."partner_contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_prompts" ADD CONSTRAINT "feedback_prompts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_rounds" ADD CONSTRAINT "feedback_rounds_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "participant_feedback" ADD CONSTRAINT "participant_feedback_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "feedback_prompts_partner_id_index" ON "feedback_prompts" USING btree ("partner_id");--> statement-breakpoint
CREATE INDEX "feedback_prompts_user_id_index" ON "feedback_prompts" USING btree ("user_id");