"""The storage engine behind search and build: the interface they use, and its
implementations (Whoosh on disk, and a small one in memory)."""
