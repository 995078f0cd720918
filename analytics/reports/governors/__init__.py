"""The governors' termly summary: its figures (aggregates only, suppressed), its words and its documents."""
