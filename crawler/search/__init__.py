"""Full-text search: the analyser, the FTS index, the query syntax, ranked search, SQL functions."""
