"""Users, roles, the pure permission table, passwords and sessions."""
