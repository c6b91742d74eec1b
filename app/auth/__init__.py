"""Sign-in by OpenID Connect, server-side sessions, and who may call what."""
