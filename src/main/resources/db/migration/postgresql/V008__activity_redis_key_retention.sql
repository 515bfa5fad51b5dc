-- Whether an ended sale's Redis keys were removed after the retention period (SaleKeyRetention);
-- publishing again (a repair) loads them again and clears it.
ALTER TABLE activities ADD COLUMN redis_keys_removed BOOLEAN NOT NULL DEFAULT FALSE;
