"""Letters to families: templates with merge fields, rendered to A4 PDF on the school's letterhead."""
