"""Dates ("Termine") of Vorhaben, their iCalendar files and the personal calendar feed."""
