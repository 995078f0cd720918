"""Cached calls for the attendance coordinator's pages: targets, interventions, impact and the
risk model card. Keyed on plain values and the database's data version, so a page shows what
was just recorded on its next run; the risk scores, which no recorded action changes, key on
the register's version instead (imports and training runs)."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import streamlit as st

from analytics.access.roles import Capability
from analytics.domain.rounding import rounded as rounded_half_up
from analytics.pipelines.windows import Window
from analytics.reports.coordinator import impact as impact_report
from analytics.reports.coordinator import interventions as intervention_report
from analytics.reports.coordinator.risk import ActiveModel, active_model
from analytics.reports.coordinator.targets import (
    CoordinatorInputs,
    TargetLists,
    coordinator_inputs,
    risk_rows,
    with_new_since,
)
from analytics.reports.coordinator.targets import target_lists as build_target_lists
from analytics.store import Database
from analytics.store import interventions as intervention_store
from pages.ui.access import current_user, guarded
from pages.ui.memo import shared

Urns = tuple[int, ...] | None


@shared
def _inputs(db_path: str, version: str) -> CoordinatorInputs:
    """Every school's pupils, spells and school days, the intervention log as it now stands and
    the active model (only the guarded functions below call it, for their own schools)."""
    return coordinator_inputs(Database(db_path))


@shared
def _register_version(db_path: str, version: str) -> str:
    return intervention_store.register_version(Database(db_path))


@shared
def _risk(db_path: str, register_version: str, as_of: date) -> pl.DataFrame:
    """Every enrolment's risk at `as_of` and four school weeks before (recomputed only after an
    import or a training run)."""
    return risk_rows(coordinator_inputs(Database(db_path)), as_of)


@guarded(Capability.INTERVENTIONS)
def intervention_log(db_path: str, version: str, urns: Urns) -> pl.DataFrame:
    """The intervention log of these schools."""
    log = _inputs(db_path, version).interventions
    return log if urns is None else log.filter(pl.col("school_urn").is_in(list(urns)))


@guarded(Capability.TARGETS, trust_wide=True)
def last_register_day(db_path: str, version: str) -> date | None:
    """The latest day with marks (the coordinator's "today")."""
    return _inputs(db_path, version).last_day


@guarded(Capability.TARGETS)
@shared
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
    inputs = _inputs(db_path, version)
    as_of = min(end, inputs.last_day or end)
    risk = _risk(db_path, _register_version(db_path, version), as_of)
    return build_target_lists(
        inputs,
        Window(start, end),
        urns=urns,
        year_groups=groups,
        forms=forms,
        improved_weeks=improved_weeks,
        risk=risk,
    )


@guarded(Capability.TARGETS)
@shared
def target_lists_with_news(
    db_path: str,
    version: str,
    urns: Urns,
    start: date,
    end: date,
    groups: tuple[str, ...],
    forms: tuple[str, ...],
    improved_weeks: int,
) -> TargetLists:
    """The Targets page's lists, each pupil marked new or not since the lists a week earlier
    (the same window up to the last register day a week before; none before the window)."""
    now = target_lists(db_path, version, urns, start, end, groups, forms, improved_weeks)
    week_before = now.as_of - timedelta(days=7)
    earlier = (
        target_lists(db_path, version, urns, start, week_before, groups, forms, improved_weeks)
        if week_before >= start
        else None
    )
    return with_new_since(now, earlier)


@guarded(Capability.PUPIL_DATA)
@shared
def pupils_on_roll(
    db_path: str, version: str, urns: Urns, as_of: date, groups: tuple[str, ...] = ()
) -> pl.DataFrame:
    """Pupils on roll on `as_of` (with a `label` to pick them by)."""
    return intervention_report.pupils_on_roll(_inputs(db_path, version), as_of, urns, groups)


@guarded(Capability.TARGETS)
@shared
def forms(
    db_path: str, version: str, urns: Urns, as_of: date, groups: tuple[str, ...] = ()
) -> list[str]:
    """The forms of the pupils on roll on `as_of`, in order."""
    on_roll = pupils_on_roll(db_path, version, urns, as_of, groups)
    return sorted(on_roll["form"].drop_nulls().unique().to_list())


@guarded(Capability.INTERVENTIONS)
@shared
def chronology(
    db_path: str, version: str, enrolment_id: int, as_of: date
) -> intervention_report.Chronology:
    """One pupil's chronology."""
    return intervention_report.chronology(
        Database(db_path), _inputs(db_path, version), enrolment_id, as_of
    )


@guarded(Capability.INTERVENTIONS)
@shared
def reviews_due(db_path: str, version: str, urns: Urns, since: date, as_of: date) -> pl.DataFrame:
    """Reviews due in the window up to a week after `as_of`."""
    return intervention_report.reviews_due(_inputs(db_path, version), since, as_of, urns)


@guarded(Capability.INTERVENTIONS)
@shared
def types_for(db_path: str, version: str, urns: tuple[int, ...]) -> dict[int, tuple[str, ...]]:
    """The intervention types each school may use."""
    return intervention_store.types_for_schools(Database(db_path), urns)


@guarded(Capability.INTERVENTIONS)
@shared
def own_types(db_path: str, version: str, urns: Urns) -> pl.DataFrame:
    """Types the schools added themselves (retired ones too)."""
    return intervention_store.intervention_types(Database(db_path), urns)


@guarded(Capability.TARGETS)
@shared
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
    return impact_report.intervention_impact(
        _inputs(db_path, version), Window(start, end), weeks=weeks, urns=urns, year_groups=groups
    )


@guarded(Capability.TARGETS, trust_wide=True)
@shared
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
