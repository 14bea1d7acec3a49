"""Pure rules and value types: no database, no HTTP, no clock, no I/O."""
