"""The shape of the code: `analytics` never imports Streamlit, pages hold no SQL, every setting is
documented, and nothing reaches the database except through `analytics.store`."""

import ast
from pathlib import Path

from analytics.settings import PROJECT_ROOT, SETTINGS

ANALYTICS = PROJECT_ROOT / "analytics"
PAGES = PROJECT_ROOT / "pages"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_analytics_never_imports_streamlit():
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in ANALYTICS.rglob("*.py")
        if any(m == "streamlit" or m.startswith("streamlit.") for m in imported_modules(path))
    ]
    assert offenders == []


def test_only_the_store_imports_duckdb():
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in [*ANALYTICS.rglob("*.py"), *PAGES.rglob("*.py"), PROJECT_ROOT / "app.py"]
        if "duckdb" in imported_modules(path) and "store" not in path.parts
    ]
    assert offenders == []


def test_pipelines_do_not_read_the_store():
    for path in (ANALYTICS / "pipelines").rglob("*.py"):
        assert not any(m.startswith("analytics.store") for m in imported_modules(path)), path


def test_every_setting_is_documented_in_the_readme():
    readme = (PROJECT_ROOT / "README.md").read_text("utf-8")
    for setting in SETTINGS.values():
        assert f"`{setting.env}`" in readme, f"{setting.env} is not in the README"
        assert setting.help


def test_every_module_says_what_it_is_for():
    for path in [*ANALYTICS.rglob("*.py"), *PAGES.rglob("*.py")]:
        if path.name == "__init__.py" and not path.read_text().strip():
            continue
        assert ast.get_docstring(ast.parse(path.read_text("utf-8"))), (
            f"{path} has no module docstring"
        )


#: Polars methods that call back into Python for each value, batch, row or group.
PYTHON_CALLBACKS = {
    "map_elements",
    "map_batches",
    "map_rows",
    "map_groups",
    "apply",
    "fold",
    "reduce",
    "cum_fold",
    "cum_reduce",
}


def python_callbacks(source: str) -> list[int]:
    """Lines of `source` that hand Polars a Python callable (any call of a PYTHON_CALLBACKS name)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in PYTHON_CALLBACKS
    ]


def test_no_python_callable_runs_inside_a_polars_query():
    # Under Streamlit each session is a thread: a Python callable inside a Polars query, while
    # another session converts a frame to pandas, deadlocks the whole server (issue 10).
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{line}"
        for path in [*ANALYTICS.rglob("*.py"), *PAGES.rglob("*.py"), PROJECT_ROOT / "app.py"]
        for line in python_callbacks(path.read_text("utf-8"))
    ]
    assert offenders == []


def test_the_callback_check_finds_each_way_of_calling_python():
    source = """
import polars as pl
a = pl.col("x").map_elements(lambda v: v, return_dtype=pl.Int64)
b = frame.map_rows(str)
c = pl.fold(pl.lit(0), lambda acc, x: acc + x, pl.all())
d = frame.lazy().map_batches(lambda f: f)
e = pl.col("x").round(1)
"""
    assert python_callbacks(source) == [3, 4, 5, 6]


def test_every_pupil_level_page_records_what_it_showed():
    """A page that shows pupils records the view in the audit log once it has shown them (a page
    that forgot to was a view nobody could trace)."""
    from pages.ui.registry import PAGES as SPECS

    offenders = [
        spec.path
        for spec in SPECS
        if spec.pupil_level and "record_view_shown(" not in (PROJECT_ROOT / spec.path).read_text()
    ]
    assert offenders == []
