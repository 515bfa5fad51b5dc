-- A waiting room in front of the sale (all NULL: none). Shoppers join from opens-before ahead of the
-- start; the cluster admits the head of the line at admit-per-second with a pass valid for
-- pass-ttl. The seed draws the order of those who joined before the start: secret until the start,
-- shown to admins afterwards so the draw can be checked.
ALTER TABLE activities ADD COLUMN waiting_room_opens_before_s INT NULL;
ALTER TABLE activities ADD COLUMN waiting_room_admit_per_second INT NULL;
ALTER TABLE activities ADD COLUMN waiting_room_pass_ttl_s INT NULL;
ALTER TABLE activities ADD COLUMN waiting_room_seed VARCHAR(64) NULL;
