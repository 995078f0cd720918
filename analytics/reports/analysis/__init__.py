"""The deputy head's pages: Overview, Cohorts, Patterns, Behaviour, the pupil list and a pupil's profile."""
