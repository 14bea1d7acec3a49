"""The only package that touches SQLAlchemy: engine, tables and repositories."""
