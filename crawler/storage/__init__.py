"""The storage library: every SQL statement of newscrawl, reached through an Archive (archive.py) and its parts."""
