"""The partner pages of the staff console: the list, the pipeline (evaluation and lifecycle) and tiers."""
