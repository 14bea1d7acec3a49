"""The web app: thin routes (HTML and JSON) over the services."""
