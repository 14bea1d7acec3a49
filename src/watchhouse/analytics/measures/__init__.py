"""The measures, group by group: each a catalogue definition and a SQL builder."""
