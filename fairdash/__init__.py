"""FairDash: assess and mitigate unfairness in machine learning models.

The core library never imports streamlit; the dashboard in ``app.py`` and
``pages/`` is a thin layer on top of it.
"""

from fairdash._errors import InputError
from fairdash._groups import MISSING_LABEL, group_labels, is_binned, sensitive_frame
from fairdash._markup import html_text, markdown_text, plotly_text
from fairdash._problem import (
    Problem,
    define_problem,
    guess_positive_label,
    infer_task,
    label_values,
)
from fairdash._readings import (
    SummaryReadings,
    disparity_readings,
    small_group_note,
    summary_readings,
)

__all__ = [
    "MISSING_LABEL",
    "InputError",
    "Problem",
    "SummaryReadings",
    "TrainingRun",
    "__version__",
    "define_problem",
    "disparity_readings",
    "group_labels",
    "guess_positive_label",
    "html_text",
    "infer_task",
    "is_binned",
    "label_values",
    "markdown_text",
    "plotly_text",
    "sensitive_frame",
    "small_group_note",
    "split_indices",
    "summary_readings",
    "train_model",
]

__version__ = "0.1.0"

# Training pulls in scikit-learn; load it on first use so that reading data and
# the command-line audit start fast.
_LAZY = {"TrainingRun", "split_indices", "train_model"}


def __getattr__(name: str):
    if name in _LAZY:
        from fairdash import _training

        return getattr(_training, name)
    raise AttributeError(f"module 'fairdash' has no attribute {name!r}")
