"""Data files shipped with Nudge: lexicons and rule precision tables."""
