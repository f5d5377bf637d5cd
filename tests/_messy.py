"""A messy criminal-justice-like table, generated, for tests (nothing is committed as data).

Shaped like the public recidivism files analysts try first: ids, names, dates,
charge descriptions in free text, two columns recorded after the outcome, two
repeated header names, a constant and a mostly missing column, a proxy of race,
a race x sex cell of 1-3 people, and a binary target whose 1 is the *bad*
outcome (reoffends), so the favourable outcome is 0.

Use::

    from tests._messy import MESSY, make_messy_csv, make_messy_frame

    frame = make_messy_frame(n_rows=2000, random_state=0)   # as pandas reads the CSV
    raw = make_messy_csv(n_rows=2000, random_state=0)       # bytes, headers repeated

:data:`MESSY` names the columns of each kind, so tests say what they expect.
"""

from __future__ import annotations

import io
from types import MappingProxyType

import numpy as np
import pandas as pd

__all__ = ["MESSY", "make_messy_csv", "make_messy_frame"]

#: Column names by kind, as in :func:`make_messy_frame` (repeats already renamed).
MESSY = MappingProxyType(
    {
        "target": "two_year_recid",
        "favourable": 0,  # 1 = reoffends: the bad outcome
        "sensitive": ("race", "sex"),
        "tiny_cell": ("Asian", "Female"),  # 1-3 people, whatever n_rows
        "identifiers": ("id", "name", "case_number"),
        "dates": ("dob", "c_jail_in"),
        "free_text": ("c_charge_desc",),
        "after_outcome": ("is_recid", "end"),
        "constant": ("type_of_assessment",),
        "mostly_missing": ("violent_note",),
        "repeated": {"decile_score.1": "decile_score", "priors_count.1": "priors_count"},
        "race_proxy": ("neighbourhood",),
        "plain": ("age", "juv_fel_count", "priors_count", "decile_score", "c_charge_degree"),
    }
)

_FIRST = (
    "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Luis Ana Jose Maria Kwame Amara "
    "Wei Mei Hiroshi Yuki Raj Priya Ahmed Fatima Ivan Olga"
).split()
_LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Chen Okafor"
).split()
_OFFENCE = (
    "Battery", "Possession of Cocaine", "Grand Theft in the 3rd Degree", "Driving While License "
    "Revoked", "Felony Petit Theft", "Possession of Cannabis", "Resist Officer Without Violence",
    "Aggravated Assault With a Deadly Weapon", "Burglary of an Unoccupied Dwelling",
    "Operating a Vehicle Without a Valid License", "Criminal Mischief", "Tampering With Evidence",
)
_DETAIL = (
    "", " (first offence)", " near a school", " with prior warning", " - reduced charge",
    " under 20 grams", " of a motor vehicle", " at a retail store", " at night",
)
_RACES = ("African-American", "Caucasian", "Hispanic", "Other", "Asian")
_RACE_SHARE = (0.50, 0.33, 0.09, 0.06, 0.02)


def _people(rng: np.random.Generator, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    race = rng.choice(np.array(_RACES, dtype=object), size=n_rows, p=_RACE_SHARE)
    sex = np.where(rng.random(n_rows) < 0.2, "Female", "Male").astype(object)
    # Exactly 1-3 Asian women, however many rows: the intersectional cell of very few people.
    asian = np.flatnonzero(race == "Asian")
    if len(asian) < 6:
        extra = rng.choice(np.flatnonzero(race != "Asian"), size=6 - len(asian), replace=False)
        race[extra] = "Asian"
        asian = np.flatnonzero(race == "Asian")
    sex[asian] = "Male"
    sex[rng.choice(asian, size=int(rng.integers(1, 4)), replace=False)] = "Female"
    return race, sex


def make_messy_frame(*, n_rows: int = 2000, random_state: int = 0) -> pd.DataFrame:
    """The messy table as pandas reads its CSV (repeated headers renamed ``name.1``).

    Parameters
    ----------
    n_rows : int, default=2000
        At least 200.
    random_state : int, default=0

    Returns
    -------
    pandas.DataFrame
        Columns of every kind listed in :data:`MESSY`; the target
        ``two_year_recid`` is 1 for "reoffends within two years" (unfavourable).
    """
    if n_rows < 200:
        raise ValueError("n_rows must be at least 200")
    return pd.read_csv(io.BytesIO(make_messy_csv(n_rows=n_rows, random_state=random_state)))


def make_messy_csv(*, n_rows: int = 2000, random_state: int = 0) -> bytes:
    """The messy table as CSV bytes, with the header names ``decile_score`` and
    ``priors_count`` each written twice (as some exports do).

    Parameters
    ----------
    n_rows : int, default=2000
    random_state : int, default=0

    Returns
    -------
    bytes
        UTF-8 CSV.
    """
    rng = np.random.default_rng(random_state)
    race, sex = _people(rng, n_rows)
    age = rng.integers(18, 70, size=n_rows)
    juv = rng.poisson(0.1, size=n_rows)
    priors = rng.poisson(np.where(race == "African-American", 3.5, 2.0))
    logit = -0.2 + 0.25 * priors - 0.04 * (age - 35) + 0.6 * juv + rng.normal(0, 0.8, n_rows)
    risk = 1 / (1 + np.exp(-logit))
    recid = (rng.random(n_rows) < risk).astype(int)
    decile = np.clip(np.ceil(10 * (0.7 * risk + 0.3 * rng.random(n_rows))), 1, 10).astype(int)

    first = rng.choice(np.array(_FIRST, dtype=object), size=n_rows)
    last = rng.choice(np.array(_LAST, dtype=object), size=n_rows)
    name = [f"{f} {ln}" for f, ln in zip(first, last, strict=True)]
    name = [f"{n} {chr(65 + i % 26)}." for i, n in enumerate(name)]  # a middle initial
    ids = rng.permutation(np.arange(1, n_rows + 1)) * 3 + 1000
    case_number = [f"13{int(v):06d}CF10A" for v in rng.choice(10**6, size=n_rows, replace=False)]
    birth = pd.Timestamp("2013-06-01") - pd.to_timedelta(age * 365.25, unit="D")
    birth = birth - pd.to_timedelta(rng.integers(0, 365, n_rows), unit="D")
    jail_in = pd.Timestamp("2013-01-01") + pd.to_timedelta(
        rng.integers(0, 730 * 24 * 3600, n_rows), unit="s"
    )
    offence = rng.choice(np.array(_OFFENCE, dtype=object), size=n_rows)
    detail = rng.choice(np.array(_DETAIL, dtype=object), size=n_rows)
    desc = [f"{o}{d}" for o, d in zip(offence, detail, strict=True)]
    # Recorded after the outcome: nearly the target itself, and days until the event.
    is_recid = np.where(rng.random(n_rows) < 0.02, 1 - recid, recid)
    end = np.where(recid == 1, rng.integers(5, 700, n_rows), rng.integers(730, 1200, n_rows))
    neighbourhood = np.where(
        rng.random(n_rows) < 0.85,
        np.select(
            [race == "African-American", race == "Caucasian", race == "Hispanic"],
            ["North", "East", "South"],
            "West",
        ),
        rng.choice(np.array(["North", "East", "South", "West"], dtype=object), size=n_rows),
    )
    violent = np.where(rng.random(n_rows) < 0.05, "violent priors", None)

    columns = [
        ("id", ids),
        ("name", name),
        ("case_number", case_number),
        ("sex", sex),
        ("race", race),
        ("dob", birth.strftime("%Y-%m-%d")),
        ("age", age),
        ("juv_fel_count", juv),
        ("decile_score", decile),
        ("priors_count", priors),
        ("c_jail_in", jail_in.strftime("%Y-%m-%d %H:%M:%S")),
        ("c_charge_degree", np.where(rng.random(n_rows) < 0.65, "F", "M")),
        ("c_charge_desc", desc),
        ("neighbourhood", neighbourhood),
        ("type_of_assessment", np.full(n_rows, "Risk of Recidivism", dtype=object)),
        ("violent_note", violent),
        ("is_recid", is_recid),
        ("decile_score", decile),
        ("priors_count", priors),
        ("end", end),
        ("two_year_recid", recid),
    ]
    frame = pd.DataFrame({str(i): np.asarray(v, dtype=object) for i, (_, v) in enumerate(columns)})
    frame.columns = [name for name, _ in columns]
    return frame.to_csv(index=False).encode("utf-8")
