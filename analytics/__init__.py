"""Rollcall: attendance and behaviour analytics for schools in England.

The package is a plain library: `ingest` reads MIS exports, `store` keeps them in DuckDB,
`pipelines` computes the DfE measures with Polars, `reports` shapes them for pages and exports.
It never imports Streamlit.
"""

__version__ = "0.1.0"
