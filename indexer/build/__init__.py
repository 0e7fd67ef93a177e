"""Building an index from a corpus: change detection, the preparing and writing passes
(in worker processes for large runs), stories, and the atomic, locked reindex."""
