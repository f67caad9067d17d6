"""Pillow plugin for ``.nic`` files: ``import nicgui.pillow`` and any Pillow code reads and writes them.

After the import, ``Image.open("photo.nic")`` returns the decoded picture and
``img.save("out.nic", quality=50)`` encodes one (Pillow has no plugin discovery, so the import is
the registration, as for Pillow's own plugins). Opening parses only the header, like other
formats; the model is loaded on the first decode or encode and shared by all later ones.

Errors follow Pillow's conventions: data that is not a ``.nic`` file makes ``Image.open`` raise
``UnidentifiedImageError``; a file whose body is damaged, or that another model made, raises
``OSError`` from ``load()`` (and so from ``convert``, ``save``, ``getpixel`` ...).
"""

from __future__ import annotations

import threading
from typing import IO, TYPE_CHECKING

from PIL import Image, ImageFile

from nicgui.codec.bitstream import MAGIC, NIC_SUFFIX, read_header
from nicgui.errors import NicFormatError, NicguiError

if TYPE_CHECKING:
    from nicgui.codec.api import Codec

FORMAT = "NIC"
MIME_TYPE = "application/x-nic"
EXTENSION = NIC_SUFFIX
DEFAULT_QUALITY = 75
_DECODER = "nicgui"
_HEADER_READ = 512  # bytes; more than the largest possible .nic header

_lock = threading.Lock()
_codec: Codec | None = None
_readers: dict[tuple[str, bytes], Codec] = {}  # models loaded to decode files the default did not write


def get_codec() -> Codec:
    """The codec the plugin uses: the default model on the default device, loaded once on first use."""
    global _codec
    with _lock:
        if _codec is None:
            from nicgui.codec.api import load_model

            _codec = load_model()
        return _codec


def set_codec(codec: Codec | None) -> None:
    """Make the plugin use ``codec`` (e.g. other weights or device); None goes back to the lazy default."""
    global _codec
    with _lock:
        _codec = codec
        _readers.clear()


def codec_for(data: bytes) -> Codec:
    """The codec that decodes ``data``: the plugin's own if it wrote the file, else the installed
    model named in the file's header (loaded once, on the plugin's device)."""
    codec = get_codec()
    header = read_header(data, None)[0]
    key = (header.model_name, header.model_digest)
    if key == (codec.identity.name, codec.identity.digest):
        return codec
    with _lock:
        if key not in _readers:
            from nicgui.codec.api import load_model_for

            _readers[key] = load_model_for(data, str(codec.device), None)
        return _readers[key]


def _accept(prefix: bytes) -> bool:
    return prefix[: len(MAGIC)] == MAGIC


class NicImageFile(ImageFile.ImageFile):
    """A ``.nic`` file opened by Pillow: size, mode and ICC profile from the header, pixels on load()."""

    format = FORMAT
    format_description = "nicgui neural image codec"

    def _open(self) -> None:
        assert self.fp is not None
        try:
            header, icc_len, _, end = read_header(self.fp.read(_HEADER_READ), None)
        except NicFormatError as e:
            raise SyntaxError(f"not a valid .nic file: {e}") from e
        # Pillow's own decompression-bomb limit (Image.MAX_IMAGE_PIXELS), which callers may change
        Image._decompression_bomb_check((header.width, header.height))
        self._size = (header.width, header.height)
        self._mode = header.mode
        self.info.update(quality=header.quality, model=header.model_name, family=header.family)
        if icc_len:  # the ICC profile follows the table of payload lengths
            self.fp.seek(end + 4 * header.n_tiles * header.layout.streams)
            icc = self.fp.read(icc_len)
            if len(icc) != icc_len:
                raise SyntaxError("not a valid .nic file: truncated in the ICC profile")
            self.info["icc_profile"] = icc
        self.tile = [ImageFile._Tile(_DECODER, (0, 0, *self.size), 0, None)]


class NicDecoder(ImageFile.PyDecoder):
    """Decodes a whole ``.nic`` file at once: the codec's tiles are not Pillow's scanline chunks."""

    _pulls_fd = True

    def decode(self, buffer: bytes | bytearray | memoryview | Image.SupportsArrayInterface) -> tuple[int, int]:
        assert self.fd is not None
        data = self.fd.read()
        try:
            picture = codec_for(data).decode(data, None)  # the size was checked when the file was opened
        except NicguiError as e:
            raise OSError(f"cannot decode .nic file: {e}") from e
        im = picture.to_pil()
        if im.mode != self.mode or im.size != self.state.extents()[2:]:
            raise OSError(f"decoded {im.mode} {im.size} does not match the header's {self.mode}")
        self.set_as_raw(im.tobytes())
        return -1, 0


def _save(im: Image.Image, fp: IO[bytes], filename: str | bytes) -> None:
    """Pillow save handler: ``quality`` (1..100, default 75) and ``icc_profile`` are the options."""
    from nicgui.codec.pictures import Picture

    options = im.encoderinfo
    picture = Picture.from_pil(im)
    icc = options.get("icc_profile", im.info.get("icc_profile"))
    picture.icc = icc or None
    fp.write(get_codec().encode(picture, options.get("quality", DEFAULT_QUALITY)))


Image.register_open(FORMAT, NicImageFile, _accept)
Image.register_save(FORMAT, _save)
Image.register_extension(FORMAT, EXTENSION)
Image.register_mime(FORMAT, MIME_TYPE)
Image.register_decoder(_DECODER, NicDecoder)
