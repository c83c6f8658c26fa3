"""audit: (docstring to come)."""
