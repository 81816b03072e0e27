-- A caller's votes on a post (GET /api/v1/votes) are found from the voter's
-- side, so they cost what the caller did, not the post's size.
CREATE INDEX votes_voter ON votes (voter);
