"""creds checks (to be written)."""
