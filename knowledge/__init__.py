"""The knowledge base: YAML sources of truth, their SQLAlchemy models, builder and queries."""
