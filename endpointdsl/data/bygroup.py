"""`--by VAR` of `run` and `report` (issue 15): the grouping column of the Kaplan-Meier summary,
from the ADTTE when `keep` carried it, else from the subject-level table (joined on the subject
key, as data.adam joins the kept columns), so that a group needs no `keep`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import DataError
from .values import normalise, subject_key

if TYPE_CHECKING:
    import pandas as pd


def with_group(adtte: pd.DataFrame, subject: pd.DataFrame, key: str, table: str, by: str) -> pd.DataFrame:
    """`adtte` with the column `by`: its own, or the subject table's value of each record's
    subject (`table` names the subject table in the error). The values stay as read: the
    summary labels them (data.km.group_label)."""
    import pandas as pd

    from .km import refuse_outcome_by

    refuse_outcome_by(by)  # also when the km extra is missing: the same command, the same refusal
    if by in adtte.columns:
        return adtte
    if by not in subject.columns:
        where = f" ({subject.attrs['path']})" if "path" in subject.attrs else ""
        raise DataError(
            f"--by {by}: no column {by} in the output (carry it with `keep {by} from {table}`) "
            f"nor in the subject table '{table}'{where}"
        )
    first: dict[str, int] = {}
    for i, value in enumerate(subject[key].tolist()):
        first.setdefault(subject_key(normalise(value)), i)
    values = subject[by].tolist()
    cells = [
        None if (i := first.get(sid)) is None else normalise(values[i]) for sid in adtte["USUBJID"].tolist()
    ]
    return adtte.assign(**{by: pd.Series(cells, index=adtte.index, dtype=object)})
