"""Function tools: what a turn offers (spec), the tool-call formats of model families (formats),
the JSON schemas that constrain a call (schema), and how calls and results are dressed into a
prompt (dress)."""
