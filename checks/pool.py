"""pool checks (to be written)."""
