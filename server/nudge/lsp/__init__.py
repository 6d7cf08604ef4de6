"""The thin Language Server Protocol layer over Nudge's core."""
