"""Membership: applications, approval, mail domains and the moderators' decisions on members."""
