"""Building an index from a corpus: change detection, rounds within a memory budget, the
preparing pass (with worker processes for large runs), stories, and the atomic, locked
reindex."""
