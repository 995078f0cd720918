"""What a school's figures are compared with: the same window last year, national, regional and LA figures."""
