-- Bumped when a user's password changes or an admin blacklists them: access tokens carry the version they
-- were issued under, and every API node refuses older ones (UserRulesDirectory).
ALTER TABLE users ADD COLUMN token_version INT NOT NULL DEFAULT 0;
