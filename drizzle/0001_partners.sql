CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE TYPE "public"."consent_basis" AS ENUM('paper', 'bot');--> statement-breakpoint
CREATE TYPE "public"."activity_direction" AS ENUM('technical', 'natural_science', 'sport', 'arts', 'tourism_local_history', 'social_humanitarian');--> statement-breakpoint
CREATE TYPE "public"."event_format" AS ENUM('project', 'joint_event', 'meeting_interesting_people', 'consultation', 'round_table', 'master_class', 'excursion', 'contest', 'exhibition', 'other');--> statement-breakpoint
CREATE TYPE "public"."file_kind" AS ENUM('document', 'photo');--> statement-breakpoint
CREATE TYPE "public"."interaction_kind" AS ENUM('negotiation', 'agreeing_positions', 'expert_assessment', 'document_drafted', 'meeting', 'call', 'letter', 'other');--> statement-breakpoint
CREATE TYPE "public"."partner_owner_kind" AS ENUM('department', 'association', 'teacher', 'institution');--> statement-breakpoint
CREATE TYPE "public"."partner_type" AS ENUM('school', 'university', 'college', 'science_centre', 'government_body', 'public_organisation', 'business', 'culture_organisation', 'other');--> statement-breakpoint
CREATE TYPE "public"."partnership_stage" AS ENUM('preparatory', 'organisational', 'system_forming', 'archived');--> statement-breakpoint
ALTER TYPE "public"."invite_kind" ADD VALUE 'contact';--> statement-breakpoint
CREATE TABLE "agreement_reminders" (
	"agreement_id" integer NOT NULL,
	"days_before" integer NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agreement_reminders_agreement_id_days_before_pk" PRIMARY KEY("agreement_id","days_before")
);
--> statement-breakpoint
CREATE TABLE "agreements" (
	"id" serial PRIMARY KEY NOT NULL,
	"partner_id" integer NOT NULL,
	"number" text NOT NULL,
	"signed_on" date NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"subject" text NOT NULL,
	"scan_file_id" text,
	"scan_file_kind" "file_kind",
	"created_by" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "partner_contacts" (
	"id" serial PRIMARY KEY NOT NULL,
	"partner_id" integer NOT NULL,
	"full_name" text NOT NULL,
	"position" text,
	"phone" text,
	"email" text,
	"telegram_username" text,
	"user_id" integer,
	"consent_basis" "consent_basis" NOT NULL,
	"consent_recorded_by" integer NOT NULL,
	"consent_recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "partner_interactions" (
	"id" serial PRIMARY KEY NOT NULL,
	"partner_id" integer NOT NULL,
	"kind" "interaction_kind" NOT NULL,
	"occurred_on" date NOT NULL,
	"text" text NOT NULL,
	"author_id" integer NOT NULL,
	"file_id" text,
	"file_kind" "file_kind",
	"file_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "partners" (
	"id" serial PRIMARY KEY NOT NULL,
	"full_name" text NOT NULL,
	"short_name" text,
	"search_key" text NOT NULL,
	"type" "partner_type" NOT NULL,
	"owner_kind" "partner_owner_kind" NOT NULL,
	"owner_unit_id" integer,
	"owner_user_id" integer,
	"directions" "activity_direction"[] DEFAULT '{}'::activity_direction[] NOT NULL,
	"website" text,
	"address" text,
	"inn" text,
	"motivation" text,
	"tasks" text,
	"notes" text,
	"stage" "partnership_stage" DEFAULT 'preparatory' NOT NULL,
	"created_by" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "plan_items" (
	"id" serial PRIMARY KEY NOT NULL,
	"agreement_id" integer NOT NULL,
	"title" text NOT NULL,
	"format" "event_format" NOT NULL,
	"planned_on" date NOT NULL,
	"planned_month_only" boolean DEFAULT false NOT NULL,
	"responsible_user_id" integer,
	"responsible_name" text,
	"event_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "partner_stage_changes" (
	"id" serial PRIMARY KEY NOT NULL,
	"partner_id" integer NOT NULL,
	"from_stage" "partnership_stage",
	"to_stage" "partnership_stage" NOT NULL,
	"comment" text NOT NULL,
	"changed_by" integer NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "invites" ADD COLUMN "contact_id" integer;--> statement-breakpoint
ALTER TABLE "agreement_reminders" ADD CONSTRAINT "agreement_reminders_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_contacts" ADD CONSTRAINT "partner_contacts_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_contacts" ADD CONSTRAINT "partner_contacts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_contacts" ADD CONSTRAINT "partner_contacts_consent_recorded_by_users_id_fk" FOREIGN KEY ("consent_recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_interactions" ADD CONSTRAINT "partner_interactions_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_interactions" ADD CONSTRAINT "partner_interactions_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partners" ADD CONSTRAINT "partners_owner_unit_id_units_id_fk" FOREIGN KEY ("owner_unit_id") REFERENCES "public"."units"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partners" ADD CONSTRAINT "partners_owner_user_id_users_id_fk" FOREIGN KEY ("owner_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partners" ADD CONSTRAINT "partners_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_items" ADD CONSTRAINT "plan_items_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_items" ADD CONSTRAINT "plan_items_responsible_user_id_users_id_fk" FOREIGN KEY ("responsible_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_stage_changes" ADD CONSTRAINT "partner_stage_changes_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_stage_changes" ADD CONSTRAINT "partner_stage_changes_changed_by_users_id_fk" FOREIGN KEY ("changed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agreements_partner_id_index" ON "agreements" USING btree ("partner_id");--> statement-breakpoint
CREATE INDEX "agreements_valid_to_index" ON "agreements" USING btree ("valid_to");--> statement-breakpoint
CREATE INDEX "partner_contacts_partner_id_index" ON "partner_contacts" USING btree ("partner_id");--> statement-breakpoint
CREATE INDEX "partner_contacts_user_id_index" ON "partner_contacts" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "partner_interactions_partner_id_occurred_on_index" ON "partner_interactions" USING btree ("partner_id","occurred_on");--> statement-breakpoint
CREATE INDEX "partners_search_key_trgm" ON "partners" USING gin ("search_key" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "partners_stage_index" ON "partners" USING btree ("stage");--> statement-breakpoint
CREATE INDEX "partners_owner_unit_id_index" ON "partners" USING btree ("owner_unit_id");--> statement-breakpoint
CREATE INDEX "plan_items_agreement_id_index" ON "plan_items" USING btree ("agreement_id");--> statement-breakpoint
ALTER TABLE "invites" ADD CONSTRAINT "invites_contact_id_partner_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."partner_contacts"("id") ON DELETE cascade ON UPDATE no action;