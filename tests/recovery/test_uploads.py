"""Exercise media (issue 11, item 8): allowed by content, size-limited, served sandboxed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from recovery import uploads

pytestmark = pytest.mark.django_db

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 100
OGG = b"OggS\x00\x02" + b"\x00" * 100
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 100
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00" + b"\x00" * 100
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00" + b"\x00" * 100
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + b"\x00" * 100
HTML = b"<!doctype html><script>alert(document.cookie)</script>"


@pytest.mark.parametrize("content,expected", [
    (MP3, "audio/mpeg"), (OGG, "audio/ogg"), (WAV, "audio/wav"), (M4A, "audio/mp4"),
    (MP4, "video/mp4"), (WEBM, "video/webm"),
])
def test_allowed_types_are_recognised_by_content(content, expected):
    assert uploads.sniff_media_type(content[:64]) == expected
    uploads.validate_exercise_media(SimpleUploadedFile("anything.bin", content))


def test_html_named_mp3_is_refused():
    with pytest.raises(ValidationError) as info:
        uploads.validate_exercise_media(SimpleUploadedFile("calm.mp3", HTML, "audio/mpeg"))
    assert info.value.code == "media_type"


def test_oversized_files_are_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_MEDIA_BYTES", 50)
    with pytest.raises(ValidationError) as info:
        uploads.validate_exercise_media(SimpleUploadedFile("long.mp3", MP3))
    assert info.value.code == "media_too_large"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "exercise-media").mkdir()
    (tmp_path / "exercise-media" / "breathe.mp3").write_bytes(MP3)
    (tmp_path / "exercise-media" / "evil.mp3").write_bytes(HTML)
    return tmp_path


def test_media_is_served_as_a_sandboxed_attachment(media_root, patient_client):
    response = patient_client.get("/media/exercise-media/breathe.mp3")
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == MP3


def test_a_file_that_is_not_media_is_not_served(media_root, patient_client):
    assert patient_client.get("/media/exercise-media/evil.mp3").status_code == 404


def test_media_needs_sign_in(media_root, client):
    assert client.get("/media/exercise-media/breathe.mp3").status_code == 302
