"""Forging H.264 parameter sets for hostile test files: an SPS that claims another picture size.

Follows ITU-T H.264 section 7.3.2.1.1 (seq_parameter_set_data) up to frame cropping; whatever
follows (VUI) is copied bit for bit.
"""

import struct

HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}


class _Bits:
    """A reader over the bits of an RBSP."""

    def __init__(self, data: bytes) -> None:
        self.bits = "".join(f"{byte:08b}" for byte in data)
        self.pos = 0

    def u(self, count: int) -> int:
        value = int(self.bits[self.pos : self.pos + count], 2)
        self.pos += count
        return value

    def ue(self) -> int:
        zeros = 0
        while self.bits[self.pos + zeros] == "0":
            zeros += 1
        self.pos += zeros + 1
        return (1 << zeros) - 1 + (self.u(zeros) if zeros else 0)

    def se(self) -> int:
        code = self.ue()
        return (code + 1) // 2 if code % 2 else -(code // 2)


def _ue(value: int) -> str:
    """Exp-Golomb code of an unsigned value, as a string of bits."""
    code = f"{value + 1:b}"
    return "0" * (len(code) - 1) + code


def unescape(ebsp: bytes) -> bytes:
    """RBSP of a NAL unit payload: emulation-prevention bytes (00 00 03) removed."""
    out, zeros = bytearray(), 0
    for byte in ebsp:
        if zeros >= 2 and byte == 3:
            zeros = 0
            continue
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def escape(rbsp: bytes) -> bytes:
    """NAL unit payload of an RBSP: 03 inserted after every 00 00 followed by 00..03."""
    out, zeros = bytearray(), 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def resize_sps(nal: bytes, width: int, height: int) -> bytes:
    """The SPS NAL unit `nal` (header byte first) claiming width x height (multiples of 16)."""
    bits = _Bits(unescape(nal[1:]))
    profile = bits.u(8)
    bits.u(16)  # constraint flags, level_idc
    bits.ue()  # seq_parameter_set_id
    if profile in HIGH_PROFILES:
        if bits.ue() == 3:  # chroma_format_idc
            bits.u(1)
        bits.ue(), bits.ue(), bits.u(1)  # bit depths, qpprime_y_zero_transform_bypass_flag
        if bits.u(1):
            raise ValueError("SPS with scaling matrices: not supported here")
    bits.ue()  # log2_max_frame_num_minus4
    poc_type = bits.ue()
    if poc_type == 0:
        bits.ue()
    elif poc_type == 1:
        bits.u(1), bits.se(), bits.se()
        for _ in range(bits.ue()):
            bits.se()
    bits.ue(), bits.u(1)  # max_num_ref_frames, gaps_in_frame_num_value_allowed_flag
    size_at = bits.pos
    bits.ue(), bits.ue()
    after_size = bits.pos
    if not bits.u(1):  # frame_mbs_only_flag
        raise ValueError("interlaced SPS: not supported here")
    bits.u(1)  # direct_8x8_inference_flag
    crop_at = bits.pos
    if bits.u(1):
        for _ in range(4):
            bits.ue()
    rest = bits.bits[bits.pos :].rstrip("0")[:-1]  # without rbsp_stop_one_bit and alignment
    out = (
        bits.bits[:size_at]
        + _ue(width // 16 - 1)
        + _ue(height // 16 - 1)
        + bits.bits[after_size:crop_at]
        + "0"
        + rest
        + "1"
    )
    out += "0" * (-len(out) % 8)
    rbsp = int(out, 2).to_bytes(len(out) // 8, "big")
    return nal[:1] + escape(rbsp)


def avcc_with_sps(avcc: bytes, sps: bytes) -> bytes:
    """An AVCDecoderConfigurationRecord (avcC payload) whose single SPS is replaced by `sps`."""
    if avcc[5] & 0x1F != 1:
        raise ValueError("expected exactly one SPS")
    (old,) = struct.unpack_from(">H", avcc, 6)
    return avcc[:6] + struct.pack(">H", len(sps)) + sps + avcc[8 + old :]


def avcc_parameter_sets(avcc: bytes) -> tuple[bytes, bytes]:
    """The (first) SPS and PPS NAL units of an avcC payload."""
    (sps_length,) = struct.unpack_from(">H", avcc, 6)
    sps = avcc[8 : 8 + sps_length]
    pps_at = 8 + sps_length + 1
    (pps_length,) = struct.unpack_from(">H", avcc, pps_at)
    return sps, avcc[pps_at + 2 : pps_at + 2 + pps_length]
