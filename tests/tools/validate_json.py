#!/usr/bin/env python3
"""validate_json.py SCHEMA FILE...: each FILE against the JSON Schema; one line per error."""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
bad = 0
for name in sys.argv[2:]:
    for e in cls(schema).iter_errors(json.load(open(name))):
        print("%s: %s: %s" % (name, "/".join(map(str, e.absolute_path)), e.message))
        bad += 1
sys.exit(1 if bad else 0)
