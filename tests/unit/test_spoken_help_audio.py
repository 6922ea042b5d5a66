"""A recording is recognised by its first bytes, whatever its name says."""

import pytest

from shop.translations.spoken import audio_type


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"OggS\x00\x02" + b"\x00" * 22 + b"OpusHead", "audio/ogg"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", "audio/mpeg"),
        (b"\xff\xfb\x90\x64", "audio/mpeg"),  # an MP3 frame without tags
        (b"\xff\xf1\x50\x80", "audio/aac"),  # ADTS
        (b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00", "audio/mp4"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "audio/webm"),
        (b"RIFF\x24\x08\x00\x00WAVEfmt ", "audio/wav"),
    ],
)
def test_the_kinds_browsers_play_are_recognised(head, kind):
    assert audio_type(head + b"\x00" * 64) == kind


@pytest.mark.parametrize(
    "head",
    [
        b"\x89PNG\r\n\x1a\n",
        b"%PDF-1.7",
        b"\x00\x00\x00\x20ftypheic",  # a phone's photo, in the same box format as M4A
        b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01matroska",  # a Matroska video, not WebM
        b"<html>",
        b"",
    ],
)
def test_anything_else_is_not_a_recording(head):
    assert audio_type(head + b"\x00" * 8) is None
