CREATE TABLE "invites" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"room_id" varchar(20) NOT NULL,
	"role" varchar(10) NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"uses" integer DEFAULT 0 NOT NULL,
	"max_uses" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "invites_role_check" CHECK ("invites"."role" IN ('editor', 'viewer'))
);
--> statement-breakpoint
ALTER TABLE "room_members" ADD COLUMN "via" varchar(10) DEFAULT 'invite' NOT NULL;--> statement-breakpoint
ALTER TABLE "rooms" ADD COLUMN "access_epoch" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "invites" ADD CONSTRAINT "invites_room_id_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_invites_room" ON "invites" USING btree ("room_id");--> statement-breakpoint
ALTER TABLE "room_members" ADD CONSTRAINT "room_members_via_check" CHECK ("room_members"."via" IN ('invite', 'password', 'public'));