-- Whether shoppers must answer a challenge (an image with a sum) before they get a purchase token.
ALTER TABLE activities ADD COLUMN challenge BOOLEAN NOT NULL DEFAULT FALSE;
