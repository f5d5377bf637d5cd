"""Show user-controlled strings as text: in markdown, in HTML and in plotly figures.

Column names, group values, labels and file names come from users' files and
configurations. Shown raw, ``![c](http://host/x.png)`` makes the browser fetch
an image, ``<a href=...>`` becomes a live link in a chart, ``$x^2$`` becomes
LaTeX. Each function here turns any value into text that displays exactly as
written in one medium, and can never become markup there.
"""

from __future__ import annotations

import html
import re
import string

__all__ = ["html_text", "markdown_text", "plotly_text"]

# Control characters (other than tab and newline) are invalid in HTML and invisible in a
# terminal: shown as escapes (\x1b), as the command line does.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Every ASCII punctuation character can be backslash-escaped in CommonMark; escaping them
# all covers links, images, emphasis, HTML, tables, and Streamlit's extensions ($ LaTeX,
# :emoji:, :red[colour]) alike.
_MARKDOWN_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\t\u2028\u2029\x85]")
# GitHub's autolink literals (http://, www., e-mail addresses) are found in the text after
# escapes are resolved, so escaping cannot stop them; a word joiner (U+2060, invisible)
# inside each pattern does.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
_WORD_JOINER = "\u2060"
# plotly.js reads labels as a small HTML dialect (<a href>, <span style>, <br>, <b>, ...)
# and decodes entities only after finding the tags; "$...$" is LaTeX where MathJax is
# loaded, and "%{...}" a placeholder in hover templates.
_PLOTLY_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "&#36;", "%": "&#37;"}
_PLOTLY_PATTERN = re.compile("[&<>$%]")


def _escape_sequence(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def _visible_controls(text: str) -> str:
    return _CONTROL.sub(_escape_sequence, text)


def html_text(value: object) -> str:
    """``value`` as HTML text, safe in element content and quoted attribute values.

    Parameters
    ----------
    value : object
        Anything; it is shown as ``str(value)``.

    Returns
    -------
    str
        ``&``, ``<``, ``>``, ``"`` and ``'`` as entities, control characters
        as visible escapes (``\\x1b``).

    Examples
    --------
    >>> html_text('<a href="http://x">m</a>')
    '&lt;a href=&quot;http://x&quot;&gt;m&lt;/a&gt;'
    """
    return _visible_controls(html.escape(str(value), quote=True))


def markdown_text(value: object) -> str:
    """``value`` as markdown that renders as exactly this text, on one line.

    For Streamlit's ``st.markdown``, ``st.warning``, captions and widget
    labels: images, links, bare URLs, emphasis, HTML, LaTeX (``$``), emoji
    codes and colour directives (``:red[...]``) in the value stay text.

    Parameters
    ----------
    value : object
        Anything; it is shown as ``str(value)``.

    Returns
    -------
    str
        Every ASCII punctuation character backslash-escaped; line breaks and
        other control characters shown as escapes (``\\n``), so a value can
        never start a heading, a list or a new paragraph; an invisible word
        joiner (U+2060) in ``://``, ``www.`` and before ``@``, so no bare URL or
        e-mail address becomes a link.

    Examples
    --------
    >>> markdown_text("![c](x.png) **b**")
    '\\\\!\\\\[c\\\\]\\\\(x\\\\.png\\\\) \\\\*\\\\*b\\\\*\\\\*'
    >>> markdown_text("http://x") == "http\\\\:\\u2060\\\\/\\\\/x"
    True
    """
    text = _LINE_BREAKS.sub(_escape_sequence, str(value))
    text = _AUTOLINK.sub(_WORD_JOINER, text)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _visible_controls(text))


def plotly_text(value: object) -> str:
    """``value`` as text for a plotly figure: titles, axis and tick labels, legend, hover.

    plotly.js decodes the entities written here after it has looked for tags,
    so the figure shows the value exactly as written and never a link, styled
    text, a line break or LaTeX taken from it.

    Parameters
    ----------
    value : object
        Anything; it is shown as ``str(value)``.

    Returns
    -------
    str
        ``&``, ``<``, ``>``, ``$`` and ``%`` as HTML entities.

    Examples
    --------
    >>> plotly_text('<span style="font-size:90px">f</span>')
    '&lt;span style="font-size:90px"&gt;f&lt;/span&gt;'
    """
    return _PLOTLY_PATTERN.sub(lambda m: _PLOTLY_SPECIAL[m.group()], str(value))
