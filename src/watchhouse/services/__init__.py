"""Use cases: load through repositories, decide with the domain, save, and log access."""
