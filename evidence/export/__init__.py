"""export: (docstring to come)."""
