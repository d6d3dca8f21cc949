"""QR codes that lead from paper back to the page."""

import io

import qrcode
from qrcode.image.pil import PilImage


def png(url, box_size=8):
    """A PNG of a QR code for `url`, with the quiet zone scanners need."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=4
    )
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(image_factory=PilImage).save(buffer, format="PNG")
    return buffer.getvalue()
