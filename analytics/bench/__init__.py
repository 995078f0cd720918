"""`rollcall bench`: trust- and local-authority-size data, timed step by step against pandas and
a hand-written SQL floor."""
