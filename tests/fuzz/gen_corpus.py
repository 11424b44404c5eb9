#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
"""Writes the seed corpora of tests/fuzz (corpus/vu_msg, corpus/devsim_io).

    tests/fuzz/gen_corpus.py [OUTDIR]     (default: next to this script)

The seeds are small, deterministic and readable here; libFuzzer grows
from them.  Input formats are described at the top of fuzz_vu_msg.c and
fuzz_devsim_io.c.  Backend replies are bytes captured from Debian 12's
dpdk-testpmd 22.11 (net_vhost, queues=1) answering a client on its socket;
requests are what devsim's codec sends (same layout as QEMU's frontend).
"""
import os
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))


def write(corpus, name, data, top='corpus'):
    d = os.path.join(OUT, top, corpus)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(bytes(data))


# ---------------------------------------------------------------- vu_msg

V1, REPLY, NEED_REPLY = 0x1, 0x4, 0x8
CTL_NEED_REPLY, CTL_STREAM = 0x10, 0x20

REQ = dict(GET_FEATURES=1, SET_FEATURES=2, SET_OWNER=3, RESET_OWNER=4,
           SET_MEM_TABLE=5, SET_VRING_NUM=8, SET_VRING_ADDR=9,
           SET_VRING_BASE=10, GET_VRING_BASE=11, SET_VRING_KICK=12,
           SET_VRING_CALL=13, SET_VRING_ERR=14, GET_PROTOCOL_FEATURES=15,
           SET_PROTOCOL_FEATURES=16, GET_QUEUE_NUM=17, SET_VRING_ENABLE=18,
           GET_MAX_MEM_SLOTS=36, SET_STATUS=39, GET_STATUS=40)


def msg(req, payload=b'', flags=V1):
    return struct.pack('<III', req, flags, len(payload)) + payload


def u64(v):
    return struct.pack('<Q', v)


def state(index, num):
    return struct.pack('<II', index, num)


def mem_table(regions):
    p = struct.pack('<II', len(regions), 0)
    for gpa, size, off in regions:
        p += struct.pack('<QQQQ', gpa, size, gpa, off)   # gpa == uaddr == CVA
    return p


# Captured from dpdk-testpmd 22.11 net_vhost (flags 0x5: version 1 | REPLY).
CAPTURED = {
    'reply-get-features': '010000000500000008000000cbe7667c0d000000',
    'reply-get-protocol-features': '0f0000000500000008000000bf0c010000000000',
    'reply-get-queue-num': '1100000005000000080000008000000000000000',
    'reply-ack-set-features': '0200000005000000080000000000000000000000',
    'reply-ack-set-vring-num': '0800000005000000080000000000000000000000',
    'reply-get-status': '2800000005000000080000000000000000000000',
    'reply-get-vring-base': '0b00000005000000080000000000000000000000',
}

CVA = 0x7f3a40000000


def vu_msg_corpus():
    w = lambda name, ctl, data: write('vu_msg', name, bytes([ctl]) + data)

    # What devsim sends, one message each (ctl low bits: fds that came along).
    w('req-get-features', 0, msg(REQ['GET_FEATURES']))
    w('req-set-features', 0, msg(REQ['SET_FEATURES'], u64(0x140008000)))
    w('req-set-owner', 0, msg(REQ['SET_OWNER']))
    w('req-get-protocol-features', 0, msg(REQ['GET_PROTOCOL_FEATURES']))
    w('req-set-protocol-features', 0,
      msg(REQ['SET_PROTOCOL_FEATURES'], u64(0x10009)))
    w('req-get-queue-num', 0, msg(REQ['GET_QUEUE_NUM']))
    w('req-set-mem-table-1', 1,
      msg(REQ['SET_MEM_TABLE'], mem_table([(CVA, 0x20000000, 0)]),
          V1 | NEED_REPLY))
    w('req-set-mem-table-3', 3,
      msg(REQ['SET_MEM_TABLE'], mem_table([(CVA, 0x200000, 0),
                                           (CVA + 0x400000, 0x200000, 0),
                                           (CVA + 0x800000, 0x1000, 0x3000)])))
    w('req-set-vring-num', 0, msg(REQ['SET_VRING_NUM'], state(0, 256)))
    w('req-set-vring-base', 0, msg(REQ['SET_VRING_BASE'], state(1, 0)))
    w('req-set-vring-addr', 0,
      msg(REQ['SET_VRING_ADDR'], struct.pack('<IIQQQQ', 0, 0, CVA + 0x1000,
                                             CVA + 0x3000, CVA + 0x2000, 0)))
    w('req-set-vring-kick', 1, msg(REQ['SET_VRING_KICK'], u64(0)))
    w('req-set-vring-call-nofd', 0, msg(REQ['SET_VRING_CALL'], u64(0x101)))
    w('req-set-vring-err', 1, msg(REQ['SET_VRING_ERR'], u64(1)))
    w('req-set-vring-enable', 0, msg(REQ['SET_VRING_ENABLE'], state(1, 1)))
    w('req-get-vring-base', 0, msg(REQ['GET_VRING_BASE'], state(0, 0)))
    w('req-set-status', 0, msg(REQ['SET_STATUS'], u64(0x0f)))
    w('req-get-status', 0, msg(REQ['GET_STATUS']))
    w('req-get-max-mem-slots', 0, msg(REQ['GET_MAX_MEM_SLOTS']))

    # What the backend answers.
    for name, hexbytes in CAPTURED.items():
        ctl = CTL_NEED_REPLY if 'ack' in name else 0
        w(name, ctl, bytes.fromhex(hexbytes))
    w('reply-ack-nack', CTL_NEED_REPLY,
      msg(REQ['SET_MEM_TABLE'], u64(1), V1 | REPLY))

    # Broken ones a hostile backend sends.
    w('bad-version', 0, msg(REQ['GET_FEATURES'], u64(1), 0x2 | REPLY))
    w('bad-unknown-request', 0, msg(99, u64(0), V1 | REPLY))
    w('bad-flags', 0, msg(REQ['GET_FEATURES'], u64(0), V1 | REPLY | 0x100))
    w('bad-reply-need-reply', 0, msg(REQ['GET_STATUS'], u64(0),
                                     V1 | REPLY | NEED_REPLY))
    w('bad-oversize', 0, struct.pack('<III', REQ['GET_FEATURES'], V1 | REPLY,
                                     0xffffffff) + u64(0))
    w('bad-truncated', 0, msg(REQ['GET_FEATURES'], u64(7), V1 | REPLY)[:15])
    w('bad-reply-with-fd', 1, bytes.fromhex(CAPTURED['reply-get-features']))
    w('bad-mem-nregions', 1,
      msg(REQ['SET_MEM_TABLE'], struct.pack('<II', 9, 0) + b'\0' * 32))
    w('bad-enable-2', 0, msg(REQ['SET_VRING_ENABLE'], state(0, 2)))
    w('bad-too-many-fds', 9, msg(REQ['SET_VRING_KICK'], u64(0)))

    # Streams from the backend: segments of (u8 fds, u8 len, bytes).
    def seg(data, nfds=0):
        out = b''
        while data:
            chunk, data = data[:255], data[255:]
            out += bytes([nfds, len(chunk)]) + chunk
            nfds = 0
        return out

    hello = b''.join(bytes.fromhex(CAPTURED[k]) for k in
                     ('reply-get-features', 'reply-get-protocol-features',
                      'reply-get-queue-num'))
    write('vu_msg', 'stream-handshake', bytes([CTL_STREAM]) + seg(hello))
    one = bytes.fromhex(CAPTURED['reply-get-features'])
    write('vu_msg', 'stream-split-header',
          bytes([CTL_STREAM]) + seg(one[:5]) + seg(one[5:14]) + seg(one[14:]))
    memt = msg(REQ['SET_MEM_TABLE'], mem_table([(CVA, 0x1000, 0),
                                                (CVA + 0x2000, 0x1000, 0)]))
    write('vu_msg', 'stream-fds', bytes([CTL_STREAM]) + seg(memt, 2) +
          seg(msg(REQ['SET_VRING_CALL'], u64(0)), 1) + seg(one))
    write('vu_msg', 'stream-too-many-fds',
          bytes([CTL_STREAM]) + seg(memt, 12) + seg(one))
    write('vu_msg', 'stream-fd-on-reply', bytes([CTL_STREAM]) + seg(one, 1))
    write('vu_msg', 'stream-truncated',
          bytes([CTL_STREAM]) + seg(one) + seg(one[:17]))
    write('vu_msg', 'stream-bad-header-then-fds',
          bytes([CTL_STREAM]) + seg(msg(77, u64(0)), 3) + seg(one, 2))


# ---------------------------------------------------------------- devsim_io

# Opcodes (fuzz_devsim_io.c enum op_kind; 0x08: variant).
CFG_RD, CFG_WR, BAR_RD, BAR_WR, COMMON, RING, POKE, MISC = range(8)
VARIANT = 0x08
# Common register indices (common_regs[] in fuzz_devsim_io.c).
C_DFSEL, C_DF, C_GFSEL, C_GF, C_MSIX, C_NUMQ, C_STATUS, C_GEN, C_QSEL, \
    C_QSIZE, C_QMSIX, C_QEN, C_QNOFF = range(13)

S_ACK, S_DRV, S_FOK, S_DOK, S_FAILED = 1, 2, 8, 4, 0x80
F = lambda b: 1 << b
F_VERSION_1, F_RING_PACKED, F_MRG_RXBUF, F_CTRL_VQ, F_MQ = 32, 34, 15, 17, 22
F_MAC, F_STATUS, F_CTRL_MAC = 5, 16, 23
BAR = 4
NOTIFY_OFF = 0x3000


def common_wr(field, val):
    return bytes([COMMON, field]) + struct.pack('<I', val)


def common_rd(field):
    return bytes([COMMON | VARIANT, field]) + struct.pack('<I', 0)


def bar_wr(bar, off, width, val):
    return bytes([BAR_WR, bar]) + struct.pack('<HBI', off, width, val)


def bar_rd(bar, off, width):
    return bytes([BAR_RD, bar]) + struct.pack('<HB', off, width)


def cfg_rd(off, width):
    return bytes([CFG_RD, off, width])


def cfg_wr(off, width, val):
    return bytes([CFG_WR, off, width]) + struct.pack('<I', val)


def ring(q, off, which=3):
    return bytes([RING, q, which]) + struct.pack('<H', off)


def poke(off, data):
    return bytes([POKE]) + struct.pack('<HB', off, len(data)) + data


def poke_addr(off, mem_off):
    return bytes([POKE | VARIANT]) + struct.pack('<HH', off, mem_off)


def misc(sub, *args):
    return bytes([MISC, sub] + list(args))


def features(f):
    return (common_wr(C_GFSEL, 0) + common_wr(C_GF, f & 0xffffffff) +
            common_wr(C_GFSEL, 1) + common_wr(C_GF, f >> 32))


def bring_up(feat, queues, ctrl=None, qsize=64):
    """A driver's initialisation (virtio 1.x 3.1.1), rings 0x400 apart."""
    s = common_wr(C_STATUS, 0) + common_wr(C_STATUS, S_ACK)
    s += common_wr(C_STATUS, S_ACK | S_DRV)
    s += common_wr(C_DFSEL, 0) + common_rd(C_DF)
    s += common_wr(C_DFSEL, 1) + common_rd(C_DF)
    s += features(feat)
    s += common_wr(C_STATUS, S_ACK | S_DRV | S_FOK) + common_rd(C_STATUS)
    for q in list(range(queues)) + ([ctrl] if ctrl is not None else []):
        s += common_wr(C_QSEL, q) + common_wr(C_QSIZE, qsize)
        s += ring(q, q * 0x400 if q != ctrl else 0x1000)
        s += common_wr(C_QMSIX, q) + common_wr(C_QEN, 1)
    s += misc(0)                                     # memory table
    s += common_wr(C_STATUS, S_ACK | S_DRV | S_FOK | S_DOK)
    return s


def ctrl_cmd(cls, cmd, data, avail_idx, head=0):
    """One command on the control queue at 0x1000 (split, size 64)."""
    buf = 0x2000 + 0x100 * head
    desc = 0x1000 + 16 * head * 3
    s = poke(buf, bytes([cls, cmd]) + data)
    # d0: header, d1: data, d2: ack (device-writable)
    for i, (off, ln, flags) in enumerate(((buf, 2, 1), (buf + 2, len(data), 1),
                                          (buf + 0x80, 1, 2))):
        d = desc + 16 * i
        s += poke_addr(d, off)
        s += poke(d + 8, struct.pack('<IHH', ln, flags, head * 3 + i + 1))
    avail = 0x1000 + 0x4000
    s += poke(avail + 4 + 2 * ((avail_idx - 1) % 64), struct.pack('<H', head * 3))
    s += poke(avail, struct.pack('<HH', 0, avail_idx))
    return s


def devsim_io_corpus():
    w = lambda name, hdr, ops: write('devsim_io', name, bytes(hdr) + ops)
    # h0: 2 queue pairs (bits 4-5 = 1), queue_size_max 64 (bits 6-7 = 1)
    h = [0x50, 0x00, 0x00, 0xff]
    base = F(F_VERSION_1) | F(F_MRG_RXBUF) | F(F_MAC) | F(F_STATUS)
    ctl = base | F(F_CTRL_VQ) | F(F_CTRL_MAC) | F(F_MQ)

    w('bringup-1pair', h, bring_up(base, 2) + bar_wr(BAR, NOTIFY_OFF, 2, 0) +
      bar_wr(BAR, NOTIFY_OFF + 4, 2, 1) + bar_rd(BAR, 0x1000, 1) +
      common_wr(C_STATUS, 0))
    up = bring_up(ctl, 4, ctrl=4)
    w('ctrl-mac-and-pairs', h, up +
      ctrl_cmd(1, 1, bytes([0x52, 0x54, 0, 0xaa, 0xbb, 0xcc]), 1) +
      misc(8, 4) +
      ctrl_cmd(4, 0, struct.pack('<H', 2), 2, head=1) + misc(8, 4) +
      bar_rd(BAR, 0x2000, 4) + bar_rd(BAR, 0x2004, 2) + common_rd(C_GEN) +
      misc(6) + common_wr(C_STATUS, 0))
    w('ctrl-bad-pairs', h, up + ctrl_cmd(4, 0, struct.pack('<H', 9), 1) +
      misc(8, 4) + misc(6))
    w('packed', [0x51, 0x40, 0x00, 0xff],
      bring_up(base | F(F_RING_PACKED), 2) + misc(8, 0) + common_wr(C_STATUS, 0))
    # The backend fails: vring_start, then the memory table, then status.
    w('fail-vring-start', [0x50, 0x00, 0x04, 0x01], bring_up(base, 4) +
      common_rd(C_STATUS) + common_wr(C_STATUS, S_FAILED) + common_wr(C_STATUS, 0))
    w('fail-mem-table', [0x50, 0x00, 0x02, 0xff], bring_up(base, 2) + misc(0))
    w('fail-features', [0x50, 0x00, 0x01, 0xff], bring_up(base, 2))
    w('fail-later', h, bring_up(base, 2) + misc(7, 0x7f, 0xff) + misc(2, 3, 1) +
      misc(5) + common_wr(C_STATUS, 0) + misc(7, 0, 0xff))
    # Memory tables: merged pages, too many regions, overlap, bad fd, none.
    w('mem-tables', [0x50, 0x0c, 0x00, 0xff], misc(2, 4, 0) + misc(2, 4, 1) +
      misc(2, 9, 1) + misc(2, 3, 2) + misc(3, 1) + misc(3, 0) +
      misc(1, 0x00, 0x10, 0x00, 0x20) + misc(1, 0xff, 0xff, 0xff, 0xff) +
      bring_up(base, 2) + misc(1, 0, 0, 0, 0x10))
    # Rings outside the memory, late queue enable, no memory table.
    w('rings-outside', h, common_wr(C_STATUS, S_ACK | S_DRV) + features(base) +
      common_wr(C_STATUS, S_ACK | S_DRV | S_FOK) + common_wr(C_QSEL, 0) +
      ring(0, 0xfff0) + common_wr(C_QEN, 1) + misc(1, 0, 0, 0, 0x40) +
      common_wr(C_STATUS, S_ACK | S_DRV | S_FOK | S_DOK) + common_wr(C_STATUS, 0))
    w('driver-ok-first', h, common_wr(C_STATUS, S_DOK) +
      common_wr(C_STATUS, S_ACK | S_DRV | S_DOK) + features(base | F(40)) +
      common_wr(C_STATUS, S_FOK) + misc(4, 0xff, 0xff) + misc(4, 0, 0))
    # Configuration space: header, capability walk, BAR sizing, bad accesses.
    cs = b''.join(cfg_rd(o, 4) for o in range(0, 0x40, 4))
    cs += b''.join(cfg_rd(o, 1) for o in range(0x40, 0x80))
    cs += cfg_wr(0x20, 4, 0xffffffff) + cfg_rd(0x20, 4) + cfg_wr(0x24, 4, 0xffffffff)
    cs += cfg_rd(0x24, 4) + cfg_wr(0x20, 4, 0xfebf0000) + cfg_wr(0x04, 2, 6)
    cs += cfg_rd(0x03, 2) + cfg_rd(0x02, 3) + cfg_rd(0xfe, 4) + cfg_wr(0x10, 4, ~0 & 0xffffffff)
    cs += bytes([CFG_RD | VARIANT, 0, 4])
    w('cfg-space', h, cs)
    junk = bar_rd(BAR, 0x0001, 2) + bar_rd(BAR, 0x3ffe, 4) + bar_rd(BAR, 0x4000, 1)
    junk += bar_rd(0, 0, 4) + bar_rd(6, 0, 4) + bar_rd(0xff, 0, 4) + bar_rd(BAR, 0, 8)
    junk += bytes([BAR_RD | VARIANT, BAR]) + struct.pack('<QB', 2**64 - 4, 4)
    junk += bar_wr(BAR, 0x0016, 2, 0) + bar_wr(BAR, 0x0014, 2, 0xffff)
    junk += bar_wr(BAR, 0x1000, 1, 1) + bar_wr(BAR, 0x2000, 4, 0) + bar_rd(BAR, 0x2010, 4)
    junk += bar_wr(BAR, 0x3002, 2, 0) + bar_wr(BAR, 0x3000, 4, 0) + bar_wr(BAR, 0x3ffc, 2, 0x3ff)
    junk += common_wr(C_QSEL, 0x1234) + common_rd(C_QSIZE) + common_wr(C_QSIZE, 8)
    junk += common_wr(C_QSEL, 0) + common_wr(C_QSIZE, 3) + common_wr(C_QSIZE, 4096)
    junk += common_wr(C_QEN, 0) + common_wr(C_QNOFF, 5) + common_wr(C_NUMQ, 1)
    junk += common_wr(C_MSIX, 0x8000) + common_wr(C_GFSEL, 7) + common_wr(C_GF, 1)
    w('bad-accesses', h, junk)
    w('no-version-1', [0x58, 0x00, 0x00, 0xff], common_rd(C_STATUS))
    w('small-backend', [0xb0, 0x1d, 0x00, 0xff], bring_up(base, 2, qsize=8))


def reproducers():
    """Inputs of known bugs (reproducers/): into the corpus once fixed."""
    # The control queue's slot (4: 2 pairs + ctrl) enabled without
    # CTRL_VQ negotiated: devsim starts vring 4 at a 4-vring backend.
    base = F(F_VERSION_1) | F(F_MAC)
    s = common_wr(C_STATUS, S_ACK | S_DRV) + features(base)
    s += common_wr(C_STATUS, S_ACK | S_DRV | S_FOK)
    s += common_wr(C_QSEL, 4) + common_wr(C_QSIZE, 64) + ring(4, 0x1000)
    s += common_wr(C_QEN, 1) + misc(0)
    s += common_wr(C_STATUS, S_ACK | S_DRV | S_FOK | S_DOK)
    write('.', 'devsim_io-vring-beyond-backend', bytes([0x50, 0, 0, 0xff]) + s,
          top='reproducers')


if __name__ == '__main__':
    vu_msg_corpus()
    devsim_io_corpus()
    reproducers()
