"""Report: a self-contained HTML report, tables as CSV, charts as images, the configuration."""

from __future__ import annotations

import json

import streamlit as st

import fairdash
from fairdash import markdown_text
from fairdash.io import to_csv_bytes
from fairdash.plots import model_figures
from fairdash.tradeoff import results_table
from fairdash_app.report import session_report
from fairdash_app.server_log import active_log, log_report_html
from fairdash_app.state import (
    action_key,
    cache,
    current_model,
    data_identity,
    init_state,
    min_group_size,
    stale_notice,
    widget_key,
)
from fairdash_app.workflows import data_stage_for, restore_config, session_config

init_state()
state = st.session_state


def _image(fig, fmt: str) -> bytes:
    return fig.to_image(format=fmt, width=1100, height=550)


st.title("Report")

st.subheader("Restore a configuration")
upload = st.file_uploader("FairDash configuration (JSON)", type=["json"],
                          key=action_key("report", "config_upload"))
if upload is not None and st.button("Restore", key=action_key("report", "restore")):
    bar = st.progress(0.0, text="Restoring…")
    try:
        message = restore_config(
            upload.getvalue(),
            progress=lambda d, t, m: bar.progress(
                d / max(t, 1), text=f"{d}/{t} · {markdown_text(m)}"
            ),
        )
    except fairdash.InputError as err:
        st.error(markdown_text(err))
    else:
        st.success(markdown_text(message))

log = active_log()
if log is not None:  # a server-side log: the report from its counts
    st.caption(f"Server-side log: **{log.name_md}** · {log.table.n_rows:,} rows, counted by DuckDB "
               "where the log lives")
    st.subheader("Downloads")
    st.download_button("HTML report", log_report_html(log, thresholds=state["thresholds"]),
                       "fairdash-report.html", "text/html", key=action_key("report", "html"),
                       type="primary")
    st.download_button("Group metrics (CSV)",
                       to_csv_bytes(log.metrics.to_frame().reset_index()), "group_metrics.csv",
                       "text/csv", key=action_key("report", "groups_csv"))
    st.subheader("Charts")
    for name, fig in model_figures(log.metrics).items():
        st.plotly_chart(fig, key=action_key("report", f"chart.{name}"))
    st.stop()

model = current_model()
evaluation = state["evaluation"]
if model is None or evaluation is None:
    st.info("No model yet: train one on the Data & model page or run the demo.")
    st.stop()
stale_notice()

problem, data = evaluation.problem, evaluation.data
classification = problem.task == "classification"
models = state["models"]
# No fit times: they vary from run to run, and the exported tables must be reproducible.
# The small-group policy, as on Compare and in the HTML report.
table = (results_table(models, with_fit_seconds=False, min_group_size=min_group_size())
         if models else None)
figures = model_figures(model.metrics, model_name=model.name, models_table=table)
st.caption(
    f"Current model: **{markdown_text(model.name)}** · {len(models)} model(s) · data "
    f"{markdown_text(evaluation.data_name)}"
)

source = data_identity(evaluation.data_name, evaluation.data_digest)
stage = data_stage_for(data, problem, source=source) if classification else None

st.subheader("Downloads")
if classification:
    state.setdefault(widget_key("report", "max_loss"), 1.0)
    max_loss = st.number_input(
        "Recommendation: largest loss of accuracy accepted (percentage points)", 0.0, 100.0,
        step=0.5, key=widget_key("report", "max_loss"),
        help="The report recommends the model on the Pareto front with the lowest demographic "
             "parity difference among those at most this much less accurate than the "
             "unmitigated model.",
    )
    leakage = state["leakage"]
    slices = state["slices"]
    html, no_recommendation = session_report(
        model, models, evaluation, thresholds=state["thresholds"],
        slices=slices[1] if slices is not None and slices[0] == model.uid else None,
        max_performance_loss=max_loss / 100, min_group_size=min_group_size(),
        leakage_warnings=[leakage.message] if leakage is not None and leakage.suspicious else [],
        failures=state["failures"],
    )
    if no_recommendation:
        st.info(f"No recommendation in the report: {markdown_text(no_recommendation)}")
    st.download_button("HTML report", html, "fairdash-report.html", "text/html",
                       key=action_key("report", "html"), type="primary")
else:
    st.info("The HTML report covers classification models; download the tables below.")

c1, c2, c3 = st.columns(3)
c1.download_button("Group metrics (CSV)", to_csv_bytes(model.metrics.to_frame().reset_index()),
                   "group_metrics.csv", "text/csv", key=action_key("report", "groups_csv"))
if table is not None:
    c2.download_button("Models (CSV)", to_csv_bytes(table), "models.csv", "text/csv",
                       key=action_key("report", "models_csv"))
if stage is not None:
    c3.download_button("Data-stage view (CSV)", to_csv_bytes(stage.reset_index()),
                       "data_stage.csv", "text/csv", key=action_key("report", "stage_csv"))
st.download_button("Configuration (JSON)", json.dumps(session_config(), indent=2),
                   "fairdash-config.json", "application/json",
                   key=action_key("report", "config"))

st.subheader("Charts")
state.setdefault(widget_key("report", "image_format"), "png")
fmt = st.radio("Image format", ["png", "svg"], horizontal=True,
               key=widget_key("report", "image_format"))
images = cache("cache:images")
# The image of a chart belongs to the models it shows (identities, never names).
shown = (model.uid, tuple(m.uid for m in models))
for name, fig in figures.items():
    st.plotly_chart(fig, key=action_key("report", f"chart.{name}"))
    image_key = (*shown, name, fmt)
    if st.button(f"Prepare {name.replace('_', ' ')} as {fmt.upper()}",
                 key=action_key("report", f"prepare.{name}")):
        try:
            images[image_key] = _image(fig, fmt)
        except Exception as err:
            st.warning(
                "Static images need Chromium for plotly's exporter (kaleido); use the camera "
                f"icon on the chart to download a PNG instead. ({type(err).__name__})"
            )
    if image_key in images:
        st.download_button(f"Download {name}.{fmt}", images[image_key], f"{name}.{fmt}",
                           "image/svg+xml" if fmt == "svg" else "image/png",
                           key=action_key("report", f"download.{name}"))
