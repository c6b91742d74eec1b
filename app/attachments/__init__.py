"""Files attached to Vorhaben and comments."""
