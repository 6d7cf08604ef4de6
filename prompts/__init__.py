"""Prompt templates, versioned data shipped inside the wheel."""
