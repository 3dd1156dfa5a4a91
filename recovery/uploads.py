"""Exercise media uploads (issue 11, item 8): audio and video only, judged by content.

The file's name and the browser's claimed type are not evidence: `sniff_media_type` reads the
first bytes. `validate_exercise_media` is the field validator for ExerciseTemplate.media_file
(programs.models.curricula: `validators=[validate_exercise_media]`); the media view serves
only what sniffs as an allowed type, sandboxed and as an attachment.
"""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_MEDIA_BYTES = 100 * 1024 * 1024  # a 45-minute meditation as 128 kbit/s MP3 is ~43 MB
HEAD_BYTES = 64


def sniff_media_type(head: bytes) -> str | None:
    """The MIME type these leading bytes prove, among the allowed ones; None otherwise."""
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0
                                   and head[1] & 0x06 != 0):
        return "audio/mpeg"  # MP3 with an ID3 tag, or a bare MPEG audio frame sync
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"  # EBML: WebM (Matroska)
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4"
        if brand in (b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"dash", b"MSNV", b"3gp4"):
            return "video/mp4"
    return None


ALLOWED_TYPES = ("audio/mpeg", "audio/ogg", "audio/wav", "audio/mp4", "video/webm", "video/mp4")


def read_head(file: IO[bytes] | Any) -> bytes:
    position = file.tell() if hasattr(file, "tell") else None
    file.seek(0)
    head = file.read(HEAD_BYTES)
    if position is not None:
        file.seek(position)
    return bytes(head)


def validate_exercise_media(file: Any) -> None:
    size = getattr(file, "size", None)
    if size is not None and size > MAX_MEDIA_BYTES:
        raise ValidationError(
            _("This file is %(size)s; the limit is %(limit)s.") % {"size": filesizeformat(size), "limit": filesizeformat(MAX_MEDIA_BYTES)},
            code="media_too_large",
        )
    if sniff_media_type(read_head(file)) is None:
        raise ValidationError(
            _("Upload an audio or video file: MP3, M4A, OGG, WAV, WebM or MP4 "
            "(the file's content is checked, not its name)."),
            code="media_type",
        )
