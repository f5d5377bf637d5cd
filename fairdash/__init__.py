"""FairDash: assess and mitigate unfairness in machine learning models.

The core library never imports streamlit; the dashboard in ``app.py`` and
``pages/`` is a thin layer on top of it.
"""

from fairdash._compact import compact_frame
from fairdash._definition_changes import DefinitionBasis, definition_changes
from fairdash._errors import InputError
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
from fairdash.groups import MISSING_LABEL, group_labels, is_binned, sensitive_frame

__all__ = [
    "MAX_FIT_ROWS",
    "MISSING_LABEL",
    "DefinitionBasis",
    "InputError",
    "LeakageCheck",
    "PredictionsEvaluation",
    "Problem",
    "SummaryReadings",
    "TrainingRun",
    "__version__",
    "compact_frame",
    "define_problem",
    "definition_changes",
    "disparity_readings",
    "evaluate_predictions",
    "group_labels",
    "guess_positive_label",
    "html_text",
    "infer_task",
    "is_binned",
    "label_values",
    "leakage_check",
    "markdown_text",
    "merge_rare_categories",
    "plotly_text",
    "screen_features",
    "sensitive_frame",
    "small_group_note",
    "split_indices",
    "summary_readings",
    "train_model",
]

__version__ = "0.1.0"

# Training pulls in scikit-learn; load it (and the screens) on first use so that reading
# data and the command-line audit start fast.
_LAZY = {
    "MAX_FIT_ROWS": "fairdash._training",
    "TrainingRun": "fairdash._training",
    "split_indices": "fairdash._training",
    "train_model": "fairdash._training",
    "LeakageCheck": "fairdash._leakage",
    "leakage_check": "fairdash._leakage",
    "merge_rare_categories": "fairdash._screening",
    "PredictionsEvaluation": "fairdash._predictions",
    "evaluate_predictions": "fairdash._predictions",
    "screen_features": "fairdash._screening",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'fairdash' has no attribute {name!r}")
