"""Page choices kept in the URL (beside the filters), so a view of a page can be bookmarked."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st


def url_selectbox(
    label: str,
    options: Sequence,
    *,
    key: str,
    param: str,
    default=None,
    format_func: Callable = str,
    container=st,
    **kwargs,
):
    """A selectbox whose first value comes from URL parameter `param` (else `default`, else the
    first option) and whose choice is written back to the URL."""
    options = list(options)
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]
    initial = {}
    if key not in st.session_state:
        wanted = st.query_params.get(param, default)
        if wanted is None or wanted not in [str(o) for o in options]:
            wanted = default if default in options else (options[0] if options else None)
        else:
            wanted = next(o for o in options if str(o) == wanted)
        initial = {"index": options.index(wanted) if wanted in options else 0}
    choice = container.selectbox(
        label, options, key=key, format_func=format_func, **initial, **kwargs
    )
    if choice is None:
        st.query_params.pop(param, None)
    elif st.query_params.get(param) != str(choice):
        st.query_params[param] = str(choice)
    return choice


def page_params(*names: str) -> dict[str, str]:
    """The URL parameters with these names that are set now."""
    return {name: st.query_params[name] for name in names if name in st.query_params}
