"""Ideas and projects: stages, fields of action, signals, follows, visibility."""
