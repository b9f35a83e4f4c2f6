-- Conversations: every response belongs to the one its chain began (the first response's id),
-- so that a conversation is listed, renamed and deleted in one query; names live apart.
ALTER TABLE responses ADD COLUMN conversation TEXT;
WITH RECURSIVE walk(id, root) AS (
    -- a chain begins at a response without a previous one, or whose previous one is gone (pruned)
    SELECT id, id FROM responses
    WHERE previous_response_id IS NULL OR previous_response_id NOT IN (SELECT id FROM responses)
    UNION ALL
    SELECT r.id, walk.root FROM responses r JOIN walk ON r.previous_response_id = walk.id
)
UPDATE responses SET conversation = (SELECT root FROM walk WHERE walk.id = responses.id);
CREATE INDEX responses_conversation ON responses(conversation, created_at);
CREATE TABLE conversations (
    id TEXT PRIMARY KEY,            -- the first response's id
    title TEXT NOT NULL             -- a name a person gave it (without one, its first input names it)
);
