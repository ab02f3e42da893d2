CREATE TABLE "quarantined_data" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"room_id" varchar(20) NOT NULL,
	"kind" varchar(10) NOT NULL,
	"source_id" bigint NOT NULL,
	"data" "bytea" NOT NULL,
	"error" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"quarantined_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "quarantined_data_kind_check" CHECK ("quarantined_data"."kind" IN ('update', 'snapshot'))
);
--> statement-breakpoint
ALTER TABLE "quarantined_data" ADD CONSTRAINT "quarantined_data_room_id_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_quarantined_room" ON "quarantined_data" USING btree ("room_id");