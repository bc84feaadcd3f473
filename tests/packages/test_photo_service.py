"""photo_prepare: the check and re-encoding every proof photo goes through before storage."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from PIL.JpegImagePlugin import JpegImageFile

from hubdelivery.exceptions import DomainError
from packages.services.photos import PHOTO_LONGEST_SIDE, photo_prepare


def upload(image: Image.Image, fmt: str, name: str = "photo") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    extra = {"exif": image.getexif()} if fmt == "JPEG" else {}
    image.save(buffer, format=fmt, **extra)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_large_jpeg_is_shrunk_to_the_longest_side_and_loses_its_exif():
    # given a portrait phone photo with a camera model in its EXIF
    image = Image.new("RGB", (3024, 4032), (10, 20, 30))
    exif = image.getexif()
    exif[0x0110] = "Phone 15"  # camera model
    # when
    prepared = photo_prepare(upload(image, "JPEG"))
    # then it is a JPEG at most 1600 px on its longest side, aspect kept, no EXIF left
    with Image.open(prepared) as out:
        assert out.format == "JPEG"
        assert out.size == (1200, PHOTO_LONGEST_SIDE)
        assert 0x0110 not in out.getexif()
    assert prepared.name.endswith(".jpg") and prepared.name != "photo"


def test_a_large_jpeg_is_decoded_at_the_smallest_scale_still_over_the_stored_size(monkeypatch):
    # given a 12-megapixel photo, and a record of the size each JPEG decodes at
    decoded = []
    draft = JpegImageFile.draft

    def recorded(self, mode, size):
        result = draft(self, mode, size)
        decoded.append(self.size)
        return result

    monkeypatch.setattr(JpegImageFile, "draft", recorded)
    # when
    prepared = photo_prepare(upload(Image.new("RGB", (4032, 3024), (10, 20, 30)), "JPEG"))
    # then it decoded a quarter of the pixels (half each side), then shrank to 1600
    assert decoded == [(2016, 1512)]
    with Image.open(prepared) as out:
        assert out.size == (PHOTO_LONGEST_SIDE, 1200)


def test_a_rotated_phone_photo_is_stored_upright_after_the_reduced_decode():
    # given a photo stored landscape with the EXIF orientation "rotate 90 clockwise"
    image = Image.new("RGB", (4032, 3024), (10, 20, 30))
    image.getexif()[0x0112] = 6
    # when
    prepared = photo_prepare(upload(image, "JPEG"))
    # then it is portrait, as the phone showed it
    with Image.open(prepared) as out:
        assert out.size == (1200, PHOTO_LONGEST_SIDE)


def test_png_with_transparency_becomes_a_jpeg():
    prepared = photo_prepare(upload(Image.new("RGBA", (800, 600), (0, 0, 0, 0)), "PNG"))
    with Image.open(prepared) as out:
        assert (out.format, out.size) == ("JPEG", (800, 600))


def test_a_file_named_like_a_photo_but_not_an_image_is_refused():
    with pytest.raises(DomainError, match="must be a JPEG"):
        photo_prepare(SimpleUploadedFile("door.jpg", b"<html>not a photo</html>"))


def test_a_truncated_jpeg_is_refused_with_a_message():
    whole = upload(Image.new("RGB", (400, 300)), "JPEG").read()
    with pytest.raises(DomainError, match="could not be read"):
        photo_prepare(SimpleUploadedFile("door.jpg", whole[:300]))


def test_a_photo_over_10_mb_is_refused():
    big = SimpleUploadedFile("door.jpg", b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(DomainError, match="larger than 10 MB"):
        photo_prepare(big)


def test_a_photo_with_too_many_pixels_is_refused():
    # A small PNG file that decodes to 8,000 x 8,000 pixels (64 MP).
    bomb = upload(Image.new("1", (8_000, 8_000)), "PNG")
    with pytest.raises(DomainError, match="too many pixels"):
        photo_prepare(bomb)
