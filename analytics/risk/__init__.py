"""The risk of persistent absence: a calibrated model, its backtest, the drivers behind each
pupil's score in words, and the transparent rules Rollcall falls back to with too little history.

Plain functions of frames: nothing here reads the database (`analytics.reports.coordinator.risk` wires it).
"""
