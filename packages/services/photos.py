"""Proof-of-delivery photos: checked by content and size, then re-encoded before storage.

Re-encoding with Pillow shrinks a phone's 12-megapixel photo to a few hundred kilobytes, drops
its EXIF data (the phone's location and serial number are not ours to keep) and means we only
ever store a JPEG we wrote ourselves.
"""

import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

from hubdelivery.exceptions import DomainError
from packages.services.deliveries import photo_check

PHOTO_LONGEST_SIDE = 1600
PHOTO_JPEG_QUALITY = 82
# Refuse decompression bombs: a proof photo never needs more pixels than a 50 MP camera takes.
MAX_PHOTO_PIXELS = 50_000_000


def photo_prepare(photo: UploadedFile) -> SimpleUploadedFile:
    """Check the upload (type by content, size), then return it as a JPEG whose longest side
    is at most 1600 px, under a random name. Raises DomainError with a message for the user."""
    photo_check(photo)
    try:
        with Image.open(photo) as image:
            if image.width * image.height > MAX_PHOTO_PIXELS:
                raise DomainError("The photo has too many pixels; take it again at normal size.")
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail((PHOTO_LONGEST_SIDE, PHOTO_LONGEST_SIDE))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=PHOTO_JPEG_QUALITY, optimize=True)
    except Image.DecompressionBombError as error:
        raise DomainError("The photo has too many pixels; take it again at normal size.") from error
    except (UnidentifiedImageError, OSError) as error:
        raise DomainError("The photo could not be read; take it again as a JPEG or PNG.") from error
    return SimpleUploadedFile(f"{uuid.uuid4().hex}.jpg", out.getvalue(), "image/jpeg")
