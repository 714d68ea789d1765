"""Sends COUNT log records through graypy 2.1's GELFHTTPHandler (Debian python3-graypy).

usage: /usr/bin/python3 graypy_http.py PORT KEY COUNT TAG
Record i: message TAG-i, level cycling DEBUG/INFO/WARNING/ERROR/CRITICAL, created at
1735689600 + i + 0.25 (graypy sends record.created as the GELF timestamp), extra service
"gelf-svc" (graypy sends it as _service). compress=True, graypy's default. Prints a JSON summary.
"""
import json
import logging
import sys

import graypy

port, key, count, tag = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
LEVELS = [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL]

errors = []


class Handler(graypy.GELFHTTPHandler):
    def handleError(self, record):  # logging swallows emit errors; count them instead
        errors.append(str(sys.exc_info()[1]))


class FixedTime(logging.Filter):
    def filter(self, record):
        record.created = 1735689600 + record.i + 0.25
        return True


handler = Handler("127.0.0.1", port=port, path="/gelf")
# graypy has no auth option; its request headers are this dict.
handler.headers["Authorization"] = "Bearer " + key
logger = logging.getLogger("graypy-test")
logger.setLevel(logging.DEBUG)
logger.propagate = False
logger.addFilter(FixedTime())
logger.addHandler(handler)
for i in range(count):
    logger.log(LEVELS[i % len(LEVELS)], "%s-%d", tag, i, extra={"i": i, "service": "gelf-svc"})
print(json.dumps({"sent": count, "errors": errors}))
