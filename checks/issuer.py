"""issuer checks (to be written)."""
