#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Sends one frame whose IP and TCP headers are not in the skb's linear part.

    send_split_headers.py IFACE SRC_IP DST_IP DST_MAC

An AF_PACKET socket with a virtio-net header (PACKET_VNET_HDR) lets the
sender say how much of the frame goes into the linear part: hdr_len bytes
(here 14, the Ethernet header) once the frame is a page or more, the rest in
pages. A program that reads headers only from the linear part sees the IP
header truncated; mtuguard has to pull it in. The frame is 5,000 bytes,
IPv4 with DF, so IFACE and its peer need an MTU that large. No GSO: for GSO
frames the kernel pulls the headers in itself.
"""
import socket
import struct
import sys

SOL_PACKET = 263
PACKET_VNET_HDR = 15
ETH_HLEN, IP_HLEN, TCP_HLEN = 14, 20, 20
FRAME_LEN = 5000


def ip_checksum(header: bytes) -> int:
    total = sum(struct.unpack(f"!{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def main() -> int:
    if len(sys.argv) != 5:
        print("usage:" + __doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    iface, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]
    dst_mac = bytes.fromhex(sys.argv[4].replace(":", ""))
    with open(f"/sys/class/net/{iface}/address") as f:
        src_mac = bytes.fromhex(f.read().strip().replace(":", ""))

    payload = bytes(FRAME_LEN - ETH_HLEN - IP_HLEN - TCP_HLEN)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, IP_HLEN + TCP_HLEN + len(payload), 1, 0x4000,
                     64, socket.IPPROTO_TCP, 0, socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
    tcp = struct.pack("!HHIIBBHHH", 40000, 5201, 1, 1, TCP_HLEN // 4 << 4, 0x18, 65535, 0, 0)
    eth = dst_mac + src_mac + struct.pack("!H", 0x0800)
    # virtio_net_hdr, little endian: flags, gso_type, hdr_len (what goes
    # into the linear part), gso_size, csum_start, csum_offset.
    vnet = struct.pack("<BBHHHH", 0, 0, ETH_HLEN, 0, 0, 0)

    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
    sock.bind((iface, 0))
    sock.send(vnet + eth + ip + tcp + payload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
