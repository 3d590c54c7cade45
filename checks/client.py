"""client checks (to be written)."""
