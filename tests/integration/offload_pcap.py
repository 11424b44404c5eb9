#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
"""Frames for the offload test (tests/integration/offload.sh), and their check.

gen OUT.pcap KIND SIZE COUNT [KIND SIZE COUNT ...]
    Writes COUNT frames of SIZE bytes for each KIND (udp4, tcp4, udp6, tcp6)
    whose L4 checksum field holds a wrong, non-zero value (0xbad0): only an
    offload that really computes it produces a valid frame.  The IPv4 header
    checksum is wrong too (testpmd's csum engine computes it in software).
    Every payload byte is a function of (kind, size, index, offset).

check IN.pcap
    Parses every frame and prints one line per (kind, size):
        KIND SIZE frames=N good=N partial=N bad_l4=N bad_ip=N bad_payload=N
    good: IP header checksum, L4 checksum (with the pseudo-header) and every
    payload byte are right.  partial: the same, except that the L4 checksum
    field holds the pseudo-header sum of a checksum left to offload (what
    RTE_MBUF_F_RX_L4_CKSUM_NONE delivers: completing the sum from the L4
    header on gives the right checksum).  Frames that are not IPv4/IPv6
    TCP/UDP are counted under "other".
"""
import struct
import sys

KINDS = {'udp4': (4, 17), 'tcp4': (4, 6), 'udp6': (6, 17), 'tcp6': (6, 6)}
ETH = bytes.fromhex('027663000002' '027663000001')
SRC4, DST4 = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
SRC6 = bytes.fromhex('fd000000000000000000000000000001')
DST6 = bytes.fromhex('fd000000000000000000000000000002')
BAD = 0xbad0


def csum(data, init=0):
    if len(data) % 2:
        data += b'\0'
    s = init + sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def payload(kind, size, idx, n):
    seed = (list(KINDS).index(kind) * 131 + size * 7 + idx * 31) & 0xff
    return bytes(((seed + i * 13 + (i >> 8)) & 0xff) for i in range(n))


def tag(kind, size, idx):
    """16 bytes at the start of the payload: which frame this is."""
    return struct.pack('!4sIII', kind.encode(), size, idx, 0x76636f66)


def build(kind, size, idx):
    ipv, proto = KINDS[kind]
    l3 = 20 if ipv == 4 else 40
    l4 = 8 if proto == 17 else 20
    plen = size - 14 - l3 - l4
    if plen < 16:
        raise SystemExit('%s: %d bytes is too small' % (kind, size))
    body = tag(kind, size, idx) + payload(kind, size, idx, plen - 16)
    if proto == 17:
        l4h = struct.pack('!HHHH', 1024 + idx % 1000, 5001, l4 + plen, BAD)
    else:
        l4h = struct.pack('!HHIIBBHHH', 1024 + idx % 1000, 5001, idx * 100000,
                          0, 5 << 4, 0x18, 65535, BAD, 0)
    if ipv == 4:
        l3h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, l3 + l4 + plen, idx & 0xffff,
                          0x4000, 64, proto, 0xdead, SRC4, DST4)
        et = 0x0800
    else:
        l3h = struct.pack('!IHBB16s16s', 0x60000000, l4 + plen, proto, 64,
                          SRC6, DST6)
        et = 0x86dd
    return ETH + struct.pack('!H', et) + l3h + l4h + body


def gen(path, specs):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        n = 0
        for kind, size, count in specs:
            for i in range(count):
                fr = build(kind, size, i)
                f.write(struct.pack('<IIII', n // 1000000, n % 1000000,
                                    len(fr), len(fr)))
                f.write(fr)
                n += 1


def frames(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack('<I', data[:4])[0]
    end = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    off = 24
    while off + 16 <= len(data):
        _, _, caplen, wirelen = struct.unpack(end + 'IIII', data[off:off + 16])
        off += 16
        yield data[off:off + caplen], wirelen
        off += caplen


def check_one(fr, wirelen):
    """Returns (kind, size, verdict)."""
    if len(fr) != wirelen or len(fr) < 14 + 20:
        return 'other', wirelen, 'truncated'
    et = struct.unpack('!H', fr[12:14])[0]
    if et == 0x0800:
        ihl = (fr[14] & 0xf) * 4
        l3 = fr[14:14 + ihl]
        proto, ipv = fr[23], 4
        tot = struct.unpack('!H', fr[16:18])[0]
        ip_ok = csum(l3) == 0xffff
        l4 = fr[14 + ihl:14 + tot]
        pseudo = fr[26:34] + struct.pack('!BBH', 0, proto, len(l4))
    elif et == 0x86dd:
        proto, ipv = fr[20], 6
        plen = struct.unpack('!H', fr[18:20])[0]
        ip_ok = True
        l4 = fr[54:54 + plen]
        pseudo = fr[22:54] + struct.pack('!IxxxB', len(l4), proto)
    else:
        return 'other', wirelen, 'not ip'
    kind = {(4, 17): 'udp4', (4, 6): 'tcp4', (6, 17): 'udp6', (6, 6): 'tcp6'}.get((ipv, proto))
    if kind is None:
        return 'other', wirelen, 'not tcp/udp'
    hl = 8 if proto == 17 else (l4[12] >> 4) * 4
    body = l4[hl:]
    try:
        tkind, size, idx, magic = struct.unpack('!4sIII', body[:16])
    except struct.error:
        return kind, wirelen, 'payload'
    if magic != 0x76636f66 or tkind.decode(errors='replace') != kind or size != wirelen:
        return kind, wirelen, 'payload'
    if body[16:] != payload(kind, size, idx, len(body) - 16):
        return kind, size, 'payload'
    if not ip_ok:
        return kind, size, 'ip'
    if csum(pseudo + l4) == 0xffff:
        return kind, size, 'good'
    # A partial checksum: what the offload would write at the field.
    at = 6 if proto == 17 else 16
    done = ~csum(l4) & 0xffff
    if proto == 17 and done == 0:
        done = 0xffff
    if csum(pseudo + l4[:at] + struct.pack('!H', done) + l4[at + 2:]) == 0xffff:
        return kind, size, 'partial'
    return kind, size, 'l4'


def check(path):
    res = {}
    for fr, wirelen in frames(path):
        kind, size, v = check_one(fr, wirelen)
        r = res.setdefault((kind, size), {'frames': 0, 'good': 0, 'partial': 0,
                                          'l4': 0, 'ip': 0, 'payload': 0,
                                          'other': 0})
        r['frames'] += 1
        r[v if v in r else 'other'] += 1
    for (kind, size), r in sorted(res.items()):
        print('%s %d frames=%d good=%d partial=%d bad_l4=%d bad_ip=%d bad_payload=%d other=%d' %
              (kind, size, r['frames'], r['good'], r['partial'], r['l4'], r['ip'],
               r['payload'], r['other']))


def main(argv):
    if len(argv) >= 3 and argv[1] == 'gen' and (len(argv) - 3) % 3 == 0:
        gen(argv[2], [(argv[i], int(argv[i + 1]), int(argv[i + 2]))
                      for i in range(3, len(argv), 3)])
    elif len(argv) == 3 and argv[1] == 'check':
        check(argv[2])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
