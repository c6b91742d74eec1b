"""Circles (Kreise): closed groups of members, their membership and its workflow.

Sits below app.vorhaben, whose visibility module reads circle membership in SQL; the
/kreise pages, which show a circle's Vorhaben, live above in app.circle_pages."""
