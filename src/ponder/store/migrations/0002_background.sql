-- Background responses: their status apart from the body (so a restart finds the unfinished in
-- one query), and the event stream of a finished one, for a client that resumes it.
ALTER TABLE responses ADD COLUMN status TEXT NOT NULL DEFAULT 'completed';
ALTER TABLE responses ADD COLUMN events TEXT;  -- JSON list of the SSE frames, in sequence order
CREATE INDEX responses_unfinished ON responses(status) WHERE status IN ('queued', 'in_progress');
