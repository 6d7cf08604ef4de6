"""Nudge: a writing assistant that pushes cliché and clarity suggestions into the editor."""

__version__ = "0.1.0"
