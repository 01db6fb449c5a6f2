#!/usr/bin/env python3
"""Writes unsaid(1) in roff from `unsaid --experimental-dump-help` (read on standard input).

swift-argument-parser's own generate-manual plugin needs `swift package` to build a separate
tool; this reads the same help tree the parser dumps, so the page always matches the binary
and is made offline with nothing but Python.
Usage: unsaid --experimental-dump-help | scripts/gen-manpage.py VERSION > unsaid.1
"""
import json
import sys


def esc(text):
    """Escapes roff specials; a leading dot or quote would be read as a request."""
    text = (text or "").replace("\\", "\\e").replace("-", "\\-")
    lines = []
    for line in text.split("\n"):
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def flag_names(argument):
    names = []
    for name in argument.get("names", []):
        prefix = "-" if name["kind"] == "short" else "--"
        names.append(prefix + name["name"])
    return names


def describe_arguments(arguments, out):
    for argument in arguments:
        if not argument.get("shouldDisplay", True) or argument.get("kind") is None:
            continue
        names = flag_names(argument)
        if names and names[0] in ("--help", "-h", "--version"):
            continue
        value = argument.get("valueName")
        if argument["kind"] == "positional":
            head = "\\fI" + esc(value or "value") + "\\fR"
        elif argument["kind"] == "option":
            head = ", ".join("\\fB" + esc(n) + "\\fR" for n in names) + " \\fI" + esc(value or "value") + "\\fR"
        else:
            head = ", ".join("\\fB" + esc(n) + "\\fR" for n in names)
        out.append(".TP")
        out.append(head)
        text = argument.get("abstract", "")
        if argument.get("defaultValue") not in (None, ""):
            text += " (default: %s)" % argument["defaultValue"]
        if argument.get("allValues"):
            text += " Values: %s." % ", ".join(argument["allValues"])
        out.append(esc(text))


def describe_command(command, path, out):
    name = " ".join(path)
    out.append(".SS " + esc(name))
    if command.get("abstract"):
        out.append(esc(command["abstract"]))
    if command.get("discussion"):
        out.append(".PP")
        out.append(esc(command["discussion"]))
    describe_arguments(command.get("arguments", []), out)
    for sub in command.get("subcommands", []):
        if sub["commandName"] != "help" and sub.get("shouldDisplay", True):
            describe_command(sub, path + [sub["commandName"]], out)


def main():
    version = sys.argv[1] if len(sys.argv) > 1 else ""
    root = json.load(sys.stdin)["command"]
    out = [
        '.TH UNSAID 1 "" "unsaid %s" "User Commands"' % esc(version),
        ".SH NAME",
        "unsaid \\- " + esc(root.get("abstract", "")),
        ".SH SYNOPSIS",
        ".B unsaid",
        "\\fIcommand\\fR [\\fIoptions\\fR]",
        ".SH DESCRIPTION",
        esc(root.get("discussion", "")),
        ".SH COMMANDS",
    ]
    for sub in root.get("subcommands", []):
        if sub["commandName"] != "help" and sub.get("shouldDisplay", True):
            describe_command(sub, ["unsaid", sub["commandName"]], out)
    out += [
        ".SH EXIT STATUS",
        "0 done; 1 the command finished but found a problem (see each command); 2 usage or configuration error.",
        ".SH ENVIRONMENT",
        ".TP", "\\fBOPENAI_API_KEY\\fR, \\fBOPENAI_BASE_URL\\fR, \\fBOPENAI_MODEL\\fR",
        "Defaults for \\fB\\-\\-api\\-key\\-env\\fR, \\fB\\-\\-base\\-url\\fR and \\fB\\-\\-model\\fR.",
        ".TP", "\\fBNO_COLOR\\fR, \\fBTERM\\fR",
        "Colour is used only on a terminal, without NO_COLOR and with a TERM other than dumb.",
        ".SH FILES",
        "\\fI<prefix>/share/unsaid/Rules\\fR (the ruleset), \\fI<prefix>/share/unsaid/Probes\\fR (the probe library).",
    ]
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
