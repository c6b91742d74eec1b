"""Comments on Vorhaben, with one level of replies and an edit history."""
