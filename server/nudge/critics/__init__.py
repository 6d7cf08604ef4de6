"""Critics: everything that turns prose blocks into findings, behind one interface."""
