"""What orjson is worth in `rnn-apps serve`: reading a request body and writing
its answer with the json module and with orjson, for one sentence and for 256
forecast histories (60 steps each, answers with 12-step forecasts and
quantiles).

    .venv/bin/python benchmarks/serve_json.py
"""

from __future__ import annotations

import json
import random
import timeit

import orjson


def bodies():
    random.seed(0)
    sentence = ({"instances": ["the food was great but the service was slow"]},
                {"predictions": [{"label": "positive",
                                  "probabilities": [0.02873067185282707, 0.9712692499160767]}]})
    histories = ({"instances": [[random.random() * 400 for _ in range(60)] for _ in range(256)]},
                 {"predictions": [{"forecast": [[random.random() * 400] for _ in range(12)],
                                   "quantiles": [[[random.random()] * 3] for _ in range(12)]}
                                  for _ in range(256)]})
    return {"one sentence": sentence, "256 forecast histories": histories}


def main():
    libraries = {"json": (lambda b: json.loads(b.decode()),
                          lambda v: json.dumps(v, separators=(",", ":")).encode()),
                 "orjson": (orjson.loads, orjson.dumps)}
    print("| body | library | read µs | write µs | request / answer bytes |\n"
          "|---|---|---:|---:|---:|")
    for name, (request, answer) in bodies().items():
        data = json.dumps(request).encode()
        number = 20000 if len(data) < 1000 else 50
        for library, (loads, dumps) in libraries.items():
            read = min(timeit.repeat(lambda f=loads, d=data: f(d), number=number,
                                     repeat=3)) / number
            write = min(timeit.repeat(lambda f=dumps, a=answer: f(a), number=number,
                                      repeat=3)) / number
            print(f"| {name} | {library} | {read * 1e6:.1f} | {write * 1e6:.1f} | "
                  f"{len(data)} / {len(dumps(answer))} |")


if __name__ == "__main__":
    main()
