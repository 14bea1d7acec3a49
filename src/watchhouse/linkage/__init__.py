"""Batch record linkage: who is who across the whole history, with splink (DuckDB by default,
Spark for a region or the country). No database access: records come in and clusters go out
as Arrow tables; services/identity.py moves them to and from the store."""
