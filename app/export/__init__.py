"""The public export layer: publications, feed, Atom, partners, webhooks."""
