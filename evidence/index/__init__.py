"""index: (docstring to come)."""
