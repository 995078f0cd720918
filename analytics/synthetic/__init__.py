"""The synthetic demo trust, generated from a seed and loaded through the real importers.

Three fictional schools' rolls, registers, behaviour and exclusions over three academic years
and the current autumn term, written as MIS-style CSV exports. Everything here is invented:
schools, URNs, pupils and staff. The rates are tuned so that the engine's figures for a full
academic year sit near the national ones (`rules.md` section 9). Generation is vectorised with
numpy over a days-by-enrolments matrix per school; only the import of the CSV files it writes
touches the database, exactly as a data manager's would.

What generates what, each module using only those above it:

- `schools`: the three schools and what shapes each one's data; DEMO_TODAY and the years covered
- `calendar`: the local authority's terms, INSET days, each school's register days
- `people`: pupils' names, characteristics and latent tendencies; the staff
- `rolls`: intakes, joiners, leavers, moves and permanent exclusions (who is on roll where)
- `registers`: the days-by-enrolments code matrices: absence, reasons, holidays, school life,
  lateness, the `N` codes of the first imports and the register's flaws
- `behaviour`: incidents, and the suspensions and exclusions that follow serious ones
- `interventions`: the coordinator's weekly actions and their effect on later marks
- `trust`: one school's data in the order it happens, and the whole trust from one seed
- `exports`: the MIS-style files and the order they are imported in
- `build`: `build_demo`, which imports the files, records the interventions and trains the
  risk model (`rollcall demo`)
"""

# The two names most callers want: the CLI, the benchmarks and the test fixtures build the demo,
# and the tests of the demo read its "today".
from analytics.synthetic.build import build_demo
from analytics.synthetic.schools import DEMO_TODAY

__all__ = ["DEMO_TODAY", "build_demo"]
