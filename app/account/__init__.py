"""The member's own account: profile, sessions, preferences, data rights."""
