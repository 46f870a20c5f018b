"""Validates documents with real validators, for tests/formats.rs.

usage: validate.py SARIF_SCHEMA JUNIT_XSD FILE...

Files ending in .sarif are checked against the SARIF JSON schema (draft 4,
with format checks: rfc3986-validator makes `uri` and `uri-reference` count),
the others against the JUnit XSD. Prints one line per problem and exits 1 if
there is any.
"""

import json
import sys

import jsonschema
import xmlschema


def main() -> int:
    sarif_schema, junit_xsd, *files = sys.argv[1:]
    with open(sarif_schema, encoding="utf-8") as f:
        schema = json.load(f)
    # Every known format, not draft 4's: draft 4 predates `uri-reference`,
    # which the schema uses for artifact locations.
    sarif = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    junit = xmlschema.XMLSchema(junit_xsd)
    problems = 0
    for path in files:
        if path.endswith(".sarif"):
            with open(path, encoding="utf-8") as f:
                document = json.load(f)
            errors = [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in sarif.iter_errors(document)]
        else:
            errors = [str(e) for e in junit.iter_errors(path)]
        for error in errors:
            print(f"{path}: {error}")
        problems += len(errors)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
