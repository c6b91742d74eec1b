"""Direct messages between members: conversations of up to 20, blocking, reports."""
