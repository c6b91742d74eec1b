"""Durable delivery of mails and webhooks, written with the change that caused them."""
