CREATE TABLE "assets" (
	"room_id" varchar(20) NOT NULL,
	"id" varchar(64) NOT NULL,
	"mime_type" varchar(40) NOT NULL,
	"size" bigint NOT NULL,
	"width" integer,
	"height" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" varchar(128),
	"checked_at" timestamp with time zone,
	"unreferenced_since" timestamp with time zone,
	CONSTRAINT "assets_room_id_id_pk" PRIMARY KEY("room_id","id"),
	CONSTRAINT "assets_id_check" CHECK ("assets"."id" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "assets_size_check" CHECK ("assets"."size" >= 0)
);
--> statement-breakpoint
ALTER TABLE "assets" ADD CONSTRAINT "assets_room_id_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE cascade ON UPDATE no action;