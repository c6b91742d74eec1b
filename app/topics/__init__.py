"""Topics (Themen): discussions in a circle that belong to no Vorhaben."""
