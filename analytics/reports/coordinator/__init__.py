"""The attendance coordinator's work: who needs action, interventions and their impact, the risk model."""
