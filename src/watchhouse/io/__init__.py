"""Importers' and exporters' file handling: parsing, validating and writing files.

Nothing here touches the database; services/imports.py and services/export.py join these
parsers to the repositories.
"""
