"""HEIC/HEIF (iPhone photos) for Pillow, through pillow-heif (libheif with libde265); no Django here.

Registered once on import. libheif applies the image's own rotation and mirroring (irot/imir) while
decoding and pillow-heif then resets the EXIF orientation to 1, so a HEIF opens upright: the
pipeline's orientation step finds nothing left to do. Without pillow-heif installed, HEIC is simply
not an accepted format.
"""

try:
    import pillow_heif
except ImportError:  # pragma: no cover - the dependency is declared; a host may still lack it
    pillow_heif = None  # type: ignore[assignment]  # checked before every use

if pillow_heif is not None:
    # Only the primary image is ever shown: thumbnails, depth maps and auxiliary images (HDR gain
    # maps, portrait mattes) are not even parsed. Two decoding threads: the machines have two cores.
    pillow_heif.options.THUMBNAILS = False
    pillow_heif.options.DEPTH_IMAGES = False
    pillow_heif.options.AUX_IMAGES = False
    pillow_heif.options.DECODE_THREADS = 2
    pillow_heif.register_heif_opener()

# libmagic's names for HEIF stills (an iPhone writes major brand `heic`; other cameras `mif1`/`heix`).
FORMAT_BY_MIME: dict[str, str] = {"image/heic": "HEIF", "image/heif": "HEIF"} if pillow_heif is not None else {}


def available() -> bool:
    return pillow_heif is not None
