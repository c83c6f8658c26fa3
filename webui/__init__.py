"""The Flask web UI: a thin layer over `evidence.Library`."""
