"""A realistic synthetic force: people, places, contacts, incidents, crimes and more."""
