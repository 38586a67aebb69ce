"""Validates HomeReady profiles (YAML) and reports (JSON) against the JSON Schemas the server serves.

Run through Scripts/validate-schemas, which provides jsonschema and PyYAML (PyPI, pinned) in a cached venv.
Prints one line per problem, `FILE:LINE:COLUMN: PATH: message`, and `FILE: valid` for each good file.
Exit status: 0 when every file is valid, 1 when one is not, 2 for a usage error or an unreadable file.
"""
import json
import sys

import jsonschema
import yaml


def located(node, path):
    """The YAML node at `path` (keys and indexes), or the deepest one found."""
    for step in path:
        if isinstance(node, yaml.MappingNode):
            match = next((value for key, value in node.value if key.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            match = node.value[step]
        else:
            match = None
        if match is None:
            break
        node = match
    return node


def dotted(path):
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "(top level)"


def main(argv):
    if len(argv) < 4 or argv[2] not in ("profile", "report"):
        print("usage: validate-schemas SCHEMA_DIR profile|report FILE...", file=sys.stderr)
        return 2
    schema_dir, kind, files = argv[1], argv[2], argv[3:]
    with open(f"{schema_dir}/{kind}.json", encoding="utf-8") as handle:
        schema = json.load(handle)
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    status = 0
    for name in files:
        try:
            with open(name, encoding="utf-8") as handle:
                text = handle.read()
            if kind == "profile":
                document, tree = yaml.safe_load(text), yaml.compose(text)
            else:
                document, tree = json.loads(text), None
        except (OSError, UnicodeDecodeError) as error:
            print(f"{name}: cannot read: {error}")
            status = 2
            continue
        except (yaml.YAMLError, json.JSONDecodeError) as error:
            print(f"{name}: not valid {'YAML' if kind == 'profile' else 'JSON'}: {error}".replace("\n", " "))
            status = max(status, 1)
            continue
        # For "not valid under any of the given schemas", name the alternative that came closest instead.
        errors = [jsonschema.exceptions.best_match([error]) for error in validator.iter_errors(document)]
        lines = []
        for error in errors:
            where, order = name, (0, 0)
            if tree is not None:
                mark = located(tree, list(error.absolute_path)).start_mark
                where, order = f"{name}:{mark.line + 1}:{mark.column + 1}", (mark.line, mark.column)
            lines.append((order, f"{where}: {dotted(error.absolute_path)}: {error.message}"))
        for _, line in sorted(lines):
            print(line)
        if errors:
            status = max(status, 1)
        else:
            print(f"{name}: valid")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
