-- Responses and the input items that produced them (the Responses API's store).
CREATE TABLE responses (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    previous_response_id TEXT,
    model TEXT NOT NULL,
    body TEXT NOT NULL,             -- the Response object as returned to the client (JSON)
    input_messages TEXT NOT NULL,   -- ponder Messages this request added to the conversation (JSON)
    output_messages TEXT NOT NULL   -- ponder Messages it produced, reasoning included (JSON)
);

CREATE TABLE input_items (
    response_id TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    item TEXT NOT NULL,             -- the input item, with its id (JSON)
    PRIMARY KEY (response_id, position)
);
