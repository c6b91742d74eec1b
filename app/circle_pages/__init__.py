"""The /kreise pages: the circles, one circle's own space (its Vorhaben, members, requests
and invitations) and the forms that change a membership. Composed from app.circles (the
membership) and app.vorhaben (the cards, read through its visibility rule)."""
