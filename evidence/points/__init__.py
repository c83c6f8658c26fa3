"""points: (docstring to come)."""
