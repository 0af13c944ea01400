#!/usr/bin/env python3
"""Every exported function has a man page of its own (named in its NAME or
SYNOPSIS section), and every NN_* constant of the public headers is
mentioned by some page.

usage: check_man_pages.py --man-dir man/ --include-dir include/nanomsg
                          --exports cmake/check_exports.sh
"""

import argparse
import glob
import os
import re
import sys

# Function-like macros of nn.h are documented on nn_cmsg(3).
EXTRA = ["AF_SP", "AF_SP_RAW", "PROTO_SP", "SP_HDR", "ETERM", "EFSM"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--man-dir", required=True)
    ap.add_argument("--include-dir", required=True)
    ap.add_argument("--exports", required=True)
    a = ap.parse_args()
    with open(a.exports) as f:
        text = f.read()
    m = re.search(r'expected="([^"]*)"', text)
    functions = m.group(1).split()
    pages = {}
    for path in glob.glob(os.path.join(a.man_dir, "*.scd")):
        with open(path) as f:
            pages[os.path.basename(path)] = f.read()
    everything = "\n".join(pages.values())
    problems = []
    for fn in functions:
        # nn_cmsg_nxthdr_ is the function behind the NN_CMSG_* macros.
        page = "nn_cmsg.3.scd" if fn == "nn_cmsg_nxthdr_" else fn + ".3.scd"
        body = pages.get(page)
        if body is None:
            problems.append("no page %s for %s" % (page, fn))
            continue
        head = body.split("# DESCRIPTION")[0]
        if fn not in head:
            problems.append("%s does not name %s in its NAME or SYNOPSIS" % (page, fn))
    constants = set(EXTRA)
    for h in glob.glob(os.path.join(a.include_dir, "*.h")):
        with open(h) as f:
            constants.update(re.findall(r"\b(NN_[A-Z0-9_]+)\b", f.read()))
    # Header guards and internal helpers are not API.
    constants = {c for c in constants if not c.endswith("_H_INCLUDED")
                 and c != "NN_UPDATE_HEADERS" and not c.startswith("NN_CMSG_ALIGN_")}
    for c in sorted(constants):
        if not re.search(r"(?<![A-Z0-9_])%s(?![A-Z0-9_])" % re.escape(c), everything):
            problems.append("no page mentions %s" % c)
    for p in problems:
        print("FAIL:", p)
    print("%d pages, %d functions, %d constants checked" % (len(pages), len(functions), len(constants)))
    print("PASS" if not problems else "FAIL")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
