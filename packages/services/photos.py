"""Proof-of-delivery photos: checked by content and size, then re-encoded before storage.

Re-encoding with Pillow shrinks a phone's 12-megapixel photo to a few hundred kilobytes, drops
its EXIF data (the phone's location, camera model and serial number are not ours to keep),
drops the file's original name and means we only ever store a JPEG we wrote ourselves.
`package_deliver` calls `photo_prepare` itself, so every path (page, API, jobs) stores the same.
"""

import io
import uuid
import warnings

import filetype
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from hubdelivery.exceptions import InvalidInput

PHOTO_FIELD = "photo"
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_MIME_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic"})
PHOTO_LONGEST_SIDE = 1600
PHOTO_JPEG_QUALITY = 82
# Refuse decompression bombs: a proof photo never needs more pixels than a 50 MP camera takes.
MAX_PHOTO_PIXELS = 50_000_000


def too_many_pixels() -> str:
    return _(
        "The photo has too many pixels (at most %(megapixels)d megapixels); "
        "take it again at normal size."
    ) % {"megapixels": MAX_PHOTO_PIXELS // 1_000_000}


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, field=PHOTO_FIELD)


def photo_check(photo: UploadedFile) -> None:
    """Type by content (not by name) and size."""
    if photo.size is not None and photo.size > MAX_PHOTO_BYTES:
        raise _refuse(
            _("The photo is larger than %(megabytes)d MB.")
            % {"megabytes": MAX_PHOTO_BYTES // 1024 // 1024}
        )
    head = photo.read(261)
    photo.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in PHOTO_MIME_TYPES:
        raise _refuse(_("The photo must be a JPEG, PNG, WebP or HEIC image."))


def _reencoded(photo: UploadedFile) -> bytes:
    # Pillow only warns between its own limit and twice that; as an error, every size past
    # its limit is refused before a pixel is decoded.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(photo) as image:
            if image.width * image.height > MAX_PHOTO_PIXELS:
                raise _refuse(too_many_pixels())
            _decode_reduced(image)
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail((PHOTO_LONGEST_SIDE, PHOTO_LONGEST_SIDE))
            out = io.BytesIO()
            # No exif= argument: the JPEG we write carries no metadata at all.
            image.save(out, format="JPEG", quality=PHOTO_JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _decode_reduced(image: Image.Image) -> None:
    """Have a JPEG decode at the smallest scale (1/2, 1/4, 1/8) still at least as large as
    the stored photo: a 12-megapixel photo decodes at a quarter of its pixels or less. Other
    formats decode whole. Call before anything reads the pixels."""
    scale = PHOTO_LONGEST_SIDE / max(image.width, image.height)
    if scale < 1:
        image.draft("RGB", (round(image.width * scale), round(image.height * scale)))


def photo_prepare(photo: UploadedFile) -> SimpleUploadedFile:
    """Check the upload (type by content, size, pixel count), then return it as a JPEG without
    metadata whose longest side is at most 1600 px, under a random name. Raises InvalidInput
    naming the `photo` field, with a message for the user."""
    photo_check(photo)
    try:
        data = _reencoded(photo)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _refuse(too_many_pixels()) from error
    except (UnidentifiedImageError, OSError) as error:
        raise _refuse(_("The photo could not be read; take it again as a JPEG or PNG.")) from error
    return SimpleUploadedFile(f"{uuid.uuid4().hex}.jpg", data, "image/jpeg")
