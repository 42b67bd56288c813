"""`newscrawl demo`: recorded sites (sites/) replayed on 127.0.0.1, with the sources (sources/) for them."""
