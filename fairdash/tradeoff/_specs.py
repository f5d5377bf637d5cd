"""The specification types of the method catalogue: a method and its parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["MethodSpec", "ParameterKind", "ParameterSpec", "Widget"]

ParameterKind = Literal["float", "int", "choice", "bool", "float_list"]
Widget = Literal["slider", "number", "select", "count_slider", "sweep_toggle", "hidden"]


@dataclass(frozen=True)
class ParameterSpec:
    """One parameter of a method: its type, default and the limits the page allows.

    Attributes
    ----------
    name : str
        The key in :attr:`MethodConfig.params`.
    label : str
        Widget label on the Mitigate page.
    kind : {"float", "int", "choice", "bool", "float_list"}
        The value's type. A ``float_list`` holds numbers in
        [``minimum``, ``maximum``] (and ``None`` if ``allow_none``), at most
        ``max_items`` of them.
    default : object
    widget : str
        How the page shows it: ``"slider"``, ``"number"``, ``"select"``,
        ``"count_slider"`` (a slider of how many evenly spaced values from
        ``minimum`` to ``maximum``, ``min_items`` to ``max_items``),
        ``"sweep_toggle"`` (a checkbox: the default list, or ``[None]``), or
        ``"hidden"``: the page does not show it, and a saved configuration
        may only repeat its default.
    minimum, maximum, step : float, optional
        Numeric limits (for lists, of every item) and the widget's step.
    choices : tuple
        The allowed values of a ``choice``.
    choice_labels : mapping
        Readable names of the choices.
    min_items, max_items : int, optional
        Length limits of a ``float_list``.
    allow_none : bool
        Whether a list item may be ``None``.
    number_format : str, optional
        printf-style format of a number widget.
    """

    name: str
    label: str
    kind: ParameterKind
    default: Any
    widget: Widget = "hidden"
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    choices: tuple = ()
    choice_labels: Mapping[str, str] = field(default_factory=dict)
    min_items: int | None = None
    max_items: int | None = None
    allow_none: bool = False
    number_format: str | None = None

    @property
    def exposed(self) -> bool:
        """Whether the Mitigate page lets the user set it."""
        return self.widget != "hidden"

    def choice_label(self, value: str) -> str:
        """The readable name of a choice."""
        return self.choice_labels.get(value, str(value).replace("_", " "))


@dataclass(frozen=True)
class MethodSpec:
    """A mitigation method in the catalogue.

    Attributes
    ----------
    name : str
        Key used in configurations, e.g. ``"grid_search"``.
    label : str
        Name shown to users.
    stage : {"none", "pre-processing", "in-processing", "post-processing"}
    description : str
        One sentence on what it does.
    parameters : tuple of ParameterSpec
    regression : bool
        Whether it also works for regression targets.
    """

    name: str
    label: str
    stage: str
    description: str
    parameters: tuple[ParameterSpec, ...] = ()
    regression: bool = False

    def parameter(self, name: str) -> ParameterSpec:
        """The parameter called ``name``."""
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise KeyError(name)
