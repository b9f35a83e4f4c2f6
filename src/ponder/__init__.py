"""ponder: an o1-style reasoning runtime for local models."""
