"""A failed browser journey leaves its screenshots behind (tests/e2e/artifacts.py, called by
the report hook in tests/e2e/conftest.py); a passing one leaves nothing."""

from __future__ import annotations

import pytest

from tests.e2e import artifacts

pytestmark = pytest.mark.e2e

PNG = b"\x89PNG\r\n\x1a\n"


def _report(request, outcome: str) -> pytest.TestReport:
    node = request.node
    return pytest.TestReport(node.nodeid, node.location, {}, outcome, None, "call")


def test_a_failed_journey_leaves_each_step_and_every_open_page(request, phone, tmp_path):
    phone.set_content("<main><h1>Step one: signed in</h1></main>")
    artifacts.record_step(phone, "/today/")
    phone.set_content("<main><h1>Where it went wrong</h1></main>")
    report = _report(request, "failed")

    folder = artifacts.on_report(request.node, report, root=tmp_path)

    assert folder is not None and folder.parent == tmp_path
    assert folder.name == "test_artifacts.test_a_failed_journey_leaves_each_step_and_every_open_page"
    names = sorted(p.name for p in folder.iterdir())
    assert "step-01-today.png" in names
    # The phone page, still open when the test failed, as it was then.
    [url_file] = [p for p in folder.glob("open-*.url.txt") if p.read_text().strip() == "about:blank"]
    shot = folder / url_file.name.replace(".url.txt", "-about_blank.png")
    for png in (folder / "step-01-today.png", shot):
        assert png.read_bytes().startswith(PNG)
    assert report.sections[-1] == ("e2e artifacts", f"screenshots saved in {folder}")


def test_a_passing_journey_writes_nothing(request, phone, tmp_path):
    phone.set_content("<main><h1>All well</h1></main>")
    artifacts.record_step(phone, "/today/")
    assert artifacts.on_report(request.node, _report(request, "passed"), root=tmp_path) is None
    assert list(tmp_path.iterdir()) == []
