#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 virtio-container authors
"""Every ERR and WARNING message of the driver and of devsim is in the NIC
guide.

usage: check_messages.py GUIDE.rst SOURCE.c|DIR...   (DIR: its *.c files)

Takes the format string of each VC_LOG(ERR|WARNING, ...) and
DEVSIM_LOG(log, ERR|WARNING, ...) call and looks for its literal text, in
order, in the guide, where the values its conversions (%s, %u,
%" PRIx64 ...) print are written <like-this>.  Prints the messages it cannot find and exits 1
if there is any: a message a user may see and cannot look up is a bug.
"""
import glob
import os
import re
import sys

SPEC = re.compile(r'%[-+ #0-9.*]*(?:hh|h|ll|l|z|j|t)?[diouxXcsp]|%"\s*PRI\w+\s*"?')


def split_args(s):
    """Top-level comma split of a C argument list."""
    out, depth, cur, q = [], 0, '', None
    i = 0
    while i < len(s):
        c = s[i]
        if q:
            cur += c
            if c == '\\':
                cur += s[i + 1]
                i += 1
            elif c == q:
                q = None
        elif c in '"\'':
            q = c
            cur += c
        elif c in '([{':
            depth += 1
            cur += c
        elif c in ')]}':
            depth -= 1
            cur += c
        elif c == ',' and depth == 0:
            out.append(cur)
            cur = ''
        else:
            cur += c
        i += 1
    out.append(cur)
    return [a.strip() for a in out]


def fmt_of(arg):
    """The format: adjacent string literals, PRI macros kept as '%'."""
    arg = re.sub(r'%"\s*PRI\w+\s*"', '%d', arg)   # "..%" PRIx64 ".."
    arg = re.sub(r'%"\s*PRI\w+\s*$', '%d"', arg)
    lits = re.findall(r'"((?:[^"\\]|\\.)*)"', arg)
    if not lits or re.sub(r'"(?:[^"\\]|\\.)*"|\s', '', arg):
        return None      # not a plain literal format
    return ''.join(lits).replace('\\n', '').replace('\\"', '"')


def pieces(fmt):
    """The literal runs between conversions, whitespace normalised."""
    parts = SPEC.split(fmt.replace('%%', '\x00'))
    return [' '.join(p.replace('\x00', '%').split()) for p in parts]


def documented(fmt, guide):
    """The runs occur in order, each close after the previous one (a
    <value> stands between them), somewhere in the guide."""
    runs = [r for r in pieces(fmt) if r]
    if not runs:
        return True
    start = guide.find(runs[0])
    while start >= 0:
        at = start + len(runs[0])
        for r in runs[1:]:
            nxt = guide.find(r, at)
            if nxt < 0 or nxt - at > 80:
                break
            at = nxt + len(r)
        else:
            return True
        start = guide.find(runs[0], start + 1)
    return False


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    guide = open(argv[1]).read().replace('``', '')
    guide = ' '.join(guide.split())
    missing = total = 0
    paths = []
    for a in argv[2:]:
        paths += sorted(glob.glob(os.path.join(a, '*.c'))) if os.path.isdir(a) else [a]
    for path in paths:
        src = open(path).read()
        for m in re.finditer(r'\b(VC_LOG|DEVSIM_LOG)\s*\((.*?)\);', src, re.S):
            args = split_args(m.group(2))
            lvl_i = 0 if m.group(1) == 'VC_LOG' else 1
            if len(args) <= lvl_i + 1 or args[lvl_i] not in ('ERR', 'WARNING'):
                continue
            fmt = fmt_of(args[lvl_i + 1])
            if fmt is None or len(SPEC.sub('', fmt).strip()) < 6:
                continue
            total += 1
            if not documented(fmt, guide):
                missing += 1
                line = src.count('\n', 0, m.start()) + 1
                print('%s:%d: %s: "%s"' % (path, line, args[lvl_i], fmt))
    print('%d of %d ERR/WARNING messages documented' % (total - missing, total))
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
