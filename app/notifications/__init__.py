"""In-app notifications and mails."""
