"""cite: (docstring to come)."""
