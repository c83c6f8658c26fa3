"""search: (docstring to come)."""
