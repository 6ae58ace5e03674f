CREATE INDEX "partners_owner_user_id_index" ON "partners" USING btree ("owner_user_id");--> statement-breakpoint
CREATE INDEX "plan_items_responsible_user_id_index" ON "plan_items" USING btree ("responsible_user_id");--> statement-breakpoint
CREATE INDEX "partner_stage_changes_partner_id_changed_at_index" ON "partner_stage_changes" USING btree ("partner_id","changed_at");--> statement-breakpoint
CREATE INDEX "events_proposed_by_index" ON "events" USING btree ("proposed_by");--> statement-breakpoint
CREATE INDEX "events_plan_item_id_index" ON "events" USING btree ("plan_item_id");--> statement-breakpoint
CREATE INDEX "events_status_owner_unit_id_index" ON "events" USING btree ("status","owner_unit_id");