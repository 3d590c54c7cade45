"""The fix plan (issue 13): per-resource changes merged, commands built, `--apply`."""
