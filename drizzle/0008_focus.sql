ALTER TYPE "public"."activity_direction" RENAME TO "activity_focus";--> statement-breakpoint
ALTER TABLE "partners" RENAME COLUMN "directions" TO "focuses";
