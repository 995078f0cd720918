"""Files that leave Rollcall: safe CSV, Excel and PDF writers, the summary export and the census return."""
