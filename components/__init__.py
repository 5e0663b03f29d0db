"""Custom NLU components of the pipeline (config.yml)."""
