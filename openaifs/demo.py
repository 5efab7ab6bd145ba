"""``openaifs demo``: a tour of openaifs against a throwaway in-process local server.

It starts the bundled server on a free port, then does what a user does: writes a
fine-tune file, lists purposes and files, reads the file back, overwrites it and looks at
its versions, uploads a file large enough to go through the Uploads API in parallel parts,
reads it back by seeking, and deletes. Each step prints what it did.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time


def _md5(local_path: str) -> str:
    with open(local_path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def main() -> int:
    from openaifs import OpenAIFileSystem
    from openaifs.testing import LocalServer

    with LocalServer() as server:
        print(f"local server: {server.base_url}")
        fs = OpenAIFileSystem(
            api_key=server.api_key,
            base_url=server.base_url,
            part_size=4 * 2**20,
            skip_instance_cache=True,
        )

        rows = [{"messages": [{"role": "user", "content": f"question {i}"}]} for i in range(3)]
        with fs.open("openai://fine-tune/train.jsonl", "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows)
        print("\n$ fs.ls('openai://')")
        print("  " + "  ".join(fs.ls("openai://", detail=False)))
        info = fs.info("openai://fine-tune/train.jsonl")
        print("\n$ fs.info('openai://fine-tune/train.jsonl')")
        print(f"  {info['size']} bytes, id {info['id']}, purpose {info['purpose']}")
        print("\n$ fs.cat('openai://fine-tune/train.jsonl').splitlines()[0]")
        print("  " + fs.cat("openai://fine-tune/train.jsonl").splitlines()[0].decode())

        fs.pipe("openai://fine-tune/train.jsonl", b'{"messages": []}\n', overwrite="keep")
        print("\n$ fs.ls('openai://fine-tune/train.jsonl', versions=True)  # overwrite='keep'")
        for v in fs.ls("openai://fine-tune/train.jsonl", versions=True):
            print(f"  {v['name']}  {v['size']:>4} bytes  created_at {v['created_at']}")

        with tempfile.TemporaryDirectory() as tmp:
            local = os.path.join(tmp, "inputs.bin")
            with open(local, "wb") as f:
                f.write(os.urandom(20 * 2**20))
            started = time.perf_counter()
            fs.put_file(local, "openai://user_data/inputs.bin")
            took = time.perf_counter() - started
            print("\n$ fs.put_file('inputs.bin', 'openai://user_data/inputs.bin')  # 20 MiB")
            print(f"  sent as 5 parts of 4 MiB, in parallel, md5 checked: {took:.2f} s")
            with fs.open("openai://user_data/inputs.bin", "rb") as f:
                f.seek(-16, 2)
                tail = f.read()
            with open(local, "rb") as f:
                f.seek(-16, 2)
                same = f.read() == tail
            print(f"  seek to the last 16 bytes and read: identical to the local file: {same}")
            back = os.path.join(tmp, "back.bin")
            fs.get_file("openai://user_data/inputs.bin", back)
            digests = {_md5(p) for p in (local, back)}
            print(f"  fs.get_file back: md5 identical: {len(digests) == 1}")

        fs.rm("openai://fine-tune/train.jsonl")
        print("\n$ fs.rm('openai://fine-tune/train.jsonl')  # every version of the name")
        print(f"  exists afterwards: {fs.exists('openai://fine-tune/train.jsonl')}")
        print(f"\n$ fs.du('openai://')\n  {fs.du('openai://')} bytes in all")
    print("\ndone: every step above ran against the local server over HTTP.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
