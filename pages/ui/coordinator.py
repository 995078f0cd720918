"""Cached calls for the attendance coordinator's pages: targets, interventions, impact and the
risk model card. Keyed on plain values and the database's data version, so a page shows what
was just recorded on its next run."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl
import streamlit as st

from analytics.domain.rounding import rounded as rounded_half_up
from analytics.pipelines.windows import Window
from analytics.reports.coordinator import impact as impact_report
from analytics.reports.coordinator import interventions as intervention_report
from analytics.reports.coordinator.risk import ActiveModel, active_model
from analytics.reports.coordinator.targets import CoordinatorInputs, TargetLists, coordinator_inputs
from analytics.reports.coordinator.targets import target_lists as build_target_lists
from analytics.store import Database
from analytics.store import interventions as intervention_store
from analytics.access.roles import Capability
from pages.ui.access import current_user, guarded

Urns = tuple[int, ...] | None


@st.cache_resource(show_spinner=False, max_entries=2)
def _inputs(db_path: str, register_version: str) -> CoordinatorInputs:
    """The register of every school, behaviour and the active model: reread only after an
    import or a training run, not after each recorded action."""
    return coordinator_inputs(Database(db_path))


@st.cache_data(show_spinner=False, max_entries=4)
def _intervention_log(db_path: str, version: str) -> pl.DataFrame:
    """The intervention log of every school as it now stands (shared by the figures below)."""
    return intervention_store.interventions(Database(db_path))


@guarded(Capability.INTERVENTIONS)
def intervention_log(db_path: str, version: str, urns: Urns) -> pl.DataFrame:
    """The intervention log of these schools."""
    log = _intervention_log(db_path, version)
    return log if urns is None else log.filter(pl.col("school_urn").is_in(list(urns)))


@guarded(Capability.TARGETS, trust_wide=True)
def last_register_day(db_path: str, version: str) -> date | None:
    """The latest day with marks (the coordinator's "today")."""
    return _inputs(db_path, _register_version(db_path, version)).last_day


@st.cache_data(show_spinner=False, max_entries=4)
def _register_version(db_path: str, version: str) -> str:
    return intervention_store.register_version(Database(db_path))


def _all_inputs(db_path: str, version: str) -> CoordinatorInputs:
    """Everything the coordinator's figures come from, with the intervention log as it is now.
    Every school's pupils: only the guarded functions below call it, for their own schools."""
    heavy = _inputs(db_path, _register_version(db_path, version))
    return replace(heavy, interventions=_intervention_log(db_path, version))


@guarded(Capability.TARGETS)
@st.cache_data(show_spinner=False, max_entries=16)
def target_lists(
    db_path: str,
    version: str,
    urns: Urns,
    start: date,
    end: date,
    groups: tuple[str, ...],
    forms: tuple[str, ...],
    improved_weeks: int,
) -> TargetLists:
    """Every list of the Targets page for one scope."""
    return build_target_lists(
        _all_inputs(db_path, version),
        Window(start, end),
        urns=urns,
        year_groups=groups,
        forms=forms,
        improved_weeks=improved_weeks,
    )


@guarded(Capability.PUPIL_DATA)
@st.cache_data(show_spinner=False, max_entries=32)
def pupils_on_roll(
    db_path: str, version: str, urns: Urns, as_of: date, groups: tuple[str, ...] = ()
) -> pl.DataFrame:
    """Pupils on roll on `as_of` (with a `label` to pick them by)."""
    return intervention_report.pupils_on_roll(_all_inputs(db_path, version), as_of, urns, groups)


@guarded(Capability.TARGETS)
@st.cache_data(show_spinner=False, max_entries=32)
def forms(
    db_path: str, version: str, urns: Urns, as_of: date, groups: tuple[str, ...] = ()
) -> list[str]:
    """The forms of the pupils on roll on `as_of`, in order."""
    on_roll = pupils_on_roll(db_path, version, urns, as_of, groups)
    return sorted(on_roll["form"].drop_nulls().unique().to_list())


@guarded(Capability.INTERVENTIONS)
@st.cache_data(show_spinner=False, max_entries=64)
def chronology(
    db_path: str, version: str, enrolment_id: int, as_of: date
) -> intervention_report.Chronology:
    """One pupil's chronology."""
    return intervention_report.chronology(
        Database(db_path), _all_inputs(db_path, version), enrolment_id, as_of
    )


@guarded(Capability.INTERVENTIONS)
@st.cache_data(show_spinner=False, max_entries=16)
def reviews_due(db_path: str, version: str, urns: Urns, since: date, as_of: date) -> pl.DataFrame:
    """Reviews due in the window up to a week after `as_of`."""
    return intervention_report.reviews_due(_all_inputs(db_path, version), since, as_of, urns)


@guarded(Capability.INTERVENTIONS)
@st.cache_data(show_spinner=False, max_entries=16)
def types_for(db_path: str, version: str, urns: tuple[int, ...]) -> dict[int, tuple[str, ...]]:
    """The intervention types each school may use."""
    return intervention_store.types_for_schools(Database(db_path), urns)


@guarded(Capability.INTERVENTIONS)
@st.cache_data(show_spinner=False, max_entries=8)
def own_types(db_path: str, version: str, urns: Urns) -> pl.DataFrame:
    """Types the schools added themselves (retired ones too)."""
    return intervention_store.intervention_types(Database(db_path), urns)


@guarded(Capability.TARGETS)
@st.cache_data(show_spinner=False, max_entries=16)
def impact(
    db_path: str,
    version: str,
    urns: Urns,
    start: date,
    end: date,
    weeks: int,
    groups: tuple[str, ...] = (),
) -> impact_report.Impact:
    """The Impact page's figures for interventions dated in the window."""
    data = _all_inputs(db_path, version)
    return impact_report.intervention_impact(
        data.register,
        data.interventions,
        Window(start, end),
        weeks=weeks,
        urns=urns,
        year_groups=groups,
        sessions=data.risk.sessions.lazy(),
    )


@guarded(Capability.TARGETS, trust_wide=True)
@st.cache_data(show_spinner=False, max_entries=4)
def model(db_path: str, version: str) -> ActiveModel:
    """The active risk model (or the rules), with its card and backtest."""
    return active_model(Database(db_path))


def recorder() -> str | None:
    """Who is recording: the signed-in user (their account name goes in the log as evidence), or
    None for the demo visitor, who may look but change nothing (the form's button is disabled)."""
    user = current_user()
    if user.read_only:
        st.caption("The demo trust is read-only: nothing entered here is saved.")
        return None
    st.caption(f"Recorded as {user.label}.")
    return user.name


def rounded(column: str) -> pl.Expr:
    """A column rounded half-up to one decimal place, as every page shows figures."""
    return rounded_half_up(pl.col(column)).alias(column)


def flash(message: str) -> None:
    """A success message to show after the rerun that a write needs."""
    st.session_state["coordinator_flash"] = message


def show_flash() -> None:
    """Show (once) the message a write left. The slot is drawn on every run, so what follows it
    keeps its place (tabs would otherwise jump back to their first tab)."""
    slot = st.container()
    message = st.session_state.pop("coordinator_flash", None)
    if message:
        slot.success(message)
