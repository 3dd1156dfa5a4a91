"""Plain text from a template (email bodies, reminder texts).

Django escapes every variable for HTML. In a text/plain email or a stored reminder text that
only garbles what people typed: "O'Brien & Co" became "O&#x27;Brien &amp; Co", and the HTML
email, escaping again, showed the entities themselves. Plain text is rendered unescaped here;
whatever later puts it into HTML (the HTML email, the bell's list) escapes it once, there.
"""

from __future__ import annotations

from typing import Any

from django.template import Context
from django.template.loader import get_template


def render_plain(template_name: str, context: dict[str, Any]) -> str:
    template = get_template(template_name).template  # type: ignore[attr-defined]
    return str(template.render(Context(context, autoescape=False)))
