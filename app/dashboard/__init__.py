"""The member's start page."""
