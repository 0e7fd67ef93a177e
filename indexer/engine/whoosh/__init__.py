"""The Whoosh engine: the only code that imports whoosh."""
