"""Template helpers for the Content-Security-Policy (issue 11, item 5)."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>.*?</style>", re.S)
_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')
_ROOT_CLASS = re.compile(r'(<svg\b[^>]*?\bclass=")')


def _as_presentation_attributes(match: re.Match[str]) -> str:
    # SVG's presentation attributes share CSS property names (opacity, fill, stroke...):
    # style="opacity: 0" becomes opacity="0", which no CSP restricts.
    parts = []
    for declaration in match.group(1).split(";"):
        name, _, value = declaration.partition(":")
        if name.strip() and value.strip():
            parts.append(f' {escape(name.strip())}="{escape(value.strip())}"')
    return "".join(parts)


@register.filter
def csp_svg(svg: str, kind: str) -> SafeString:
    """A trusted, server-drawn pygal SVG (journaling.charts) made to render under the CSP.

    pygal embeds a <style> scoped to a random per-chart id. A nonce would not do: htmx swaps
    charts into a page whose CSP carries the first response's nonce. So the <style> is dropped
    and the root gets the class `chart-<kind>`, styled by static/css/charts.css (generated from
    journaling.charts; tests/recovery/test_csp_charts.py fails when the two drift). Style
    attributes become presentation attributes. Only for server markup, never user text."""
    svg = _STYLE_ELEMENT.sub("", str(svg))
    svg = _ROOT_CLASS.sub(rf"\1chart-{escape(kind)} ", svg, count=1)
    return mark_safe(_STYLE_ATTR.sub(_as_presentation_attributes, svg))  # noqa: S308
