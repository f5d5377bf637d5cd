"""A generated file like a criminal-justice export: race x sex with cells of 1-3 people."""

import numpy as np
import pandas as pd


def make_tiny_groups_frame(n: int = 1500, *, seed: int = 0) -> pd.DataFrame:
    """Rows with race x sex cells of 1 to 3 people, all of one outcome.

    The target ``two_year_recid`` is 1 for the bad outcome (reoffending), so the
    favourable label is 0. Columns: an id, a name, a date string, a charge
    description, numeric features, race and sex.
    """
    rng = np.random.default_rng(seed)
    race = rng.choice(["African-American", "Caucasian", "Hispanic"], n, p=[0.5, 0.4, 0.1])
    sex = rng.choice(["Male", "Female"], n, p=[0.8, 0.2])
    # The tiny cells: 3 Native American men, 2 Asian women, 1 "Other" woman, 1 Asian man.
    tiny = [("Native American", "Male")] * 3 + [("Asian", "Female")] * 2
    tiny += [("Other", "Female"), ("Asian", "Male")]
    race[: len(tiny)] = [r for r, _ in tiny]
    sex[: len(tiny)] = [s for _, s in tiny]
    age = rng.integers(18, 70, n)
    priors = rng.poisson(2 + 2 * (race == "African-American"), n)
    logit = -0.8 + 0.25 * priors - 0.03 * (age - 35) + 0.3 * (sex == "Male")
    recid = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    recid[: len(tiny)] = 1  # each tiny cell has a single outcome
    return pd.DataFrame(
        {
            "id": np.arange(n) + 1000,
            "name": [f"person {i}" for i in range(n)],
            "c_offense_date": pd.date_range("2013-01-01", periods=n, freq="D").astype(str),
            "c_charge_desc": rng.choice(["Battery", "Theft", "Possession", "DUI"], n),
            "age": age,
            "priors_count": priors,
            "race": race,
            "sex": sex,
            "two_year_recid": recid,
        }
    )
