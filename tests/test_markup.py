"""User-controlled strings shown as text: markdown, HTML and plotly's HTML subset."""

from __future__ import annotations

import html
import re
import string

import pytest

from fairdash import html_text, markdown_text, plotly_text

HOSTILE = [
    "![c](http://127.0.0.1:9911/x.png)",
    '<a href="http://x">m</a>',
    '<span style="font-size:90px">f</span>',
    "$x^2$",
    "**b**",
    "www.example.com http://example.com/a",
    "mail a@b.example.org, HTTPS://X.ORG, WWW.X.ORG",
    ":red[x] :smile: :material/home:",
    "# heading\n\n- item\r\n|a|b|",
    "<img src=x onerror=alert(1)>",
    "a\\*b `code` ~~s~~ _i_",
    "%{y} &amp; &lt;",
    "Zoë × Ünïcode",
    "",
]
_PUNCTUATION = set(string.punctuation)


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_text_escapes_every_punctuation_character(value):
    escaped = markdown_text(value)
    # CommonMark renders a backslash-escaped ASCII punctuation character as itself
    # (spec section 2.4), so no link, image, emphasis, HTML, LaTeX or directive survives.
    position = 0
    while position < len(escaped):
        char = escaped[position]
        if char == "\\":
            assert escaped[position + 1] in _PUNCTUATION
            position += 2
            continue
        assert char not in _PUNCTUATION, (char, escaped)
        assert char not in "\r\n\t\u2028\u2029\x85"  # one line: no block can start
        position += 1
    shown = re.sub(r"\\(.)", r"\1", escaped)
    # GitHub's autolink literals are matched on the text after escapes are resolved: the
    # invisible word joiner must break every one (Streamlit linked them in the browser).
    assert not re.search(r"https?://|www\.|[-.+\w]@", shown, re.IGNORECASE), shown
    expected = value.replace("\r\n", "\\r\\n").replace("\n", "\\n").replace("\r", "\\r")
    assert shown.replace("\u2060", "") == expected


@pytest.mark.parametrize("value", HOSTILE)
def test_plotly_text_displays_the_value_and_has_no_markup(value):
    escaped = plotly_text(value)
    assert not set(escaped) & set("<>$%")
    # plotly.js decodes these entities after finding tags: the figure shows the value.
    assert html.unescape(escaped) == value


@pytest.mark.parametrize("value", HOSTILE)
def test_html_text_round_trips_and_cannot_open_a_tag_or_attribute(value):
    escaped = html_text(value)
    assert not set(escaped) & set("<>\"'")
    assert html.unescape(escaped) == value


def test_control_characters_become_visible():
    assert html_text("a\x1b[31mb") == "a\\x1b[31mb"
    assert markdown_text("a\x1bb") == "a\\\\x1bb"
    assert plotly_text(12.5) == "12.5" and html_text(None) == "None"
