CREATE TABLE "institution_students" (
	"academic_year" integer PRIMARY KEY NOT NULL,
	"students" integer NOT NULL,
	"set_by" integer,
	"set_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "institution_students" ADD CONSTRAINT "institution_students_set_by_users_id_fk" FOREIGN KEY ("set_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;