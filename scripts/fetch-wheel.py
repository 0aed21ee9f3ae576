#!/usr/bin/env python3
"""Downloads one pip wheel from PyPI and unpacks it into a folder, with nothing but the
standard library (no pip): `python3 scripts/fetch-wheel.py NAME VERSION DEST`.

Picks the version's manylinux x86_64 wheel, checks its sha256 against PyPI's, and unpacks it
into DEST through a temporary folder beside it, renamed at the end: DEST is complete or absent.
"""

import hashlib
import json
import os
import shutil
import sys
import tempfile
import urllib.request
import zipfile


def fail(message):
    print(f"fetch-wheel: {message}", file=sys.stderr)
    sys.exit(2)


def main():
    if len(sys.argv) != 4:
        fail("usage: fetch-wheel.py NAME VERSION DEST")
    name, version, dest = sys.argv[1:]
    # The Simple API in JSON (PEP 691), which pip itself reads.
    url = f"https://pypi.org/simple/{name}/"
    request = urllib.request.Request(url, headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            files = json.load(r)["files"]
    except Exception as e:  # noqa: BLE001 - any failure ends here with its reason
        fail(f"cannot read {url}: {e}")
    stem = f"{name.replace('-', '_')}-{version}-"
    wheels = [f for f in files if f["filename"].startswith(stem) and f["filename"].endswith(".whl") and "manylinux" in f["filename"] and "x86_64" in f["filename"]]
    if not wheels:
        fail(f"{name} {version} has no manylinux x86_64 wheel on PyPI")
    wheel = wheels[0]
    parent = os.path.dirname(os.path.abspath(dest))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".fetch-wheel-", dir=parent)
    try:
        path = os.path.join(tmp, wheel["filename"])
        digest = hashlib.sha256()
        with urllib.request.urlopen(wheel["url"], timeout=600) as r, open(path, "wb") as out:
            while chunk := r.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != wheel["hashes"]["sha256"]:
            fail(f"{wheel['filename']}: sha256 {digest.hexdigest()} is not PyPI's {wheel['hashes']['sha256']}")
        unpacked = os.path.join(tmp, "unpacked")
        with zipfile.ZipFile(path) as z:
            z.extractall(unpacked)
        shutil.rmtree(dest, ignore_errors=True)
        os.rename(unpacked, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"fetch-wheel: {wheel['filename']} unpacked into {dest}", file=sys.stderr)


main()
