"""Texts of the legal pages, set by the operator (Markdown files) or our defaults."""
