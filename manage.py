#!/usr/bin/env python3
"""newsdex management commands: reindex, search, stats, serve (see README)."""

import sys

from indexer.cli import main

if __name__ == "__main__":
    sys.exit(main())
