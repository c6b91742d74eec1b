"""The web shell: templates, CSRF, security headers, error pages."""
