"""Repository functions: take the session as a keyword, return domain values."""
