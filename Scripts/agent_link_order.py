#!/usr/bin/env python3
"""The functions of one program that a callgrind profile saw run, one symbol per line, in the profile's order.

    agent_link_order.py CALLGRIND_OUT PROGRAM [--perf-script FILE]

Callgrind names each object ("ob=", "cob=") and function ("fn=", "cfn=") once in full and then by number; a
function counts when its object is PROGRAM. With --perf-script (the output of `perf script -F ip,sym,dso
--no-demangle` of a run with call stacks), the functions of PROGRAM in its samples that callgrind did not see follow.
Used by Scripts/agent-link-order.
"""
import os
import re
import sys


def names(profile, program):
    objects, functions = {}, {}
    seen, ordered = set(), []
    current_object = called_object = None

    def resolve(table, text):
        match = re.match(r"\((\d+)\)(?: (.*))?$", text)
        if not match:
            return text
        if match.group(2) is not None:
            table[match.group(1)] = match.group(2)
        return table.get(match.group(1))

    def keep(name, obj):
        if name and obj and os.path.basename(obj) == program and name not in seen:
            seen.add(name)
            ordered.append(name)

    with open(profile, errors="replace") as lines:
        for line in lines:
            line = line.rstrip("\n")
            if line.startswith("ob="):
                current_object = resolve(objects, line[3:])
            elif line.startswith("cob="):
                called_object = resolve(objects, line[4:])
            elif line.startswith("fn="):
                keep(resolve(functions, line[3:]), current_object)
            elif line.startswith("cfn="):
                keep(resolve(functions, line[4:]), called_object or current_object)
                called_object = None
    return ordered


def sampled(perf_script, program):
    """Functions of `program` in a perf script listing ("ip symbol (dso)" per frame), in order of appearance."""
    found = []
    with open(perf_script, errors="replace") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) >= 3 and parts[-1].strip("()").endswith("/" + program) and parts[1] != "[unknown]":
                found.append(parts[1])
    return found


def main():
    arguments = sys.argv[1:]
    perf_script = None
    if "--perf-script" in arguments:
        index = arguments.index("--perf-script")
        perf_script = arguments[index + 1] if index + 1 < len(arguments) else None
        del arguments[index:index + 2]
    if len(arguments) != 2 or ("--perf-script" in sys.argv and not perf_script):
        sys.exit("usage: agent_link_order.py CALLGRIND_OUT PROGRAM [--perf-script FILE]")
    program = os.path.basename(arguments[1])
    found = names(arguments[0], program)
    if not found:
        sys.exit(f"agent_link_order.py: no function of {arguments[1]} in {arguments[0]}")
    if perf_script:
        seen = set(found)
        for name in sampled(perf_script, program):
            if name not in seen:
                seen.add(name)
                found.append(name)
    sys.stdout.write("".join(f"{name}\n" for name in found))


if __name__ == "__main__":
    main()
