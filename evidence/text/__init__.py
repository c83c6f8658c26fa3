"""text: (docstring to come)."""
