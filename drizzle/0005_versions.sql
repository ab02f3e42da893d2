ALTER TABLE "room_snapshots" ADD COLUMN "name" varchar(100);--> statement-breakpoint
ALTER TABLE "room_snapshots" ADD COLUMN "created_by" varchar(128);