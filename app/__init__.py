"""Allmende: the closed exchange for municipal digitalisation."""
