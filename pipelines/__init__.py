"""Item pipelines: validate, normalise, dedupe, store."""
