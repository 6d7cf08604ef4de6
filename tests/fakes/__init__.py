"""Test doubles that stand in for outside services (a fake Claude over real HTTP)."""
