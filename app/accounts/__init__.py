"""Accounts and identities: who a person is in Allmende (read by auth and membership)."""
