"""Content moderation: reports by members, the moderators' queue, hiding and restoring."""
