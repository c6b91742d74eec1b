"""Administration: the taxonomy, partners and webhooks."""
