"""Pages composed from several domains (a municipality with its Vorhaben and members, a
member's profile with the Vorhaben they started): the domains below do not know them."""
