#!/usr/bin/env python3
"""Turn `///` XML doc comments on Sosyabot's own code into plain `//` comments (STYLE.md: comments say why,
not what; no XML docs on internal code). Nothing reads the XML: GenerateDocumentationFile is off, so the
OpenAPI document does not take summaries from it.

    python3 tools/style/plain-comments.py [--check] [paths...]

Without paths it rewrites every .cs file under src, tests and bench except generated code (migrations, obj,
bin, *.g.cs). It is idempotent: a second run changes nothing, so it can be run again after a merge brings
new `///` comments. --check only lists the files it would change and exits 1 if there are any.

A block of `///` lines becomes `//` lines at the same indentation: <summary> and <remarks> text as
paragraphs, <param name="x">text</param> as "x: text", <returns> as "Returns text"; <see cref="X"/> reads X,
<c>x</c> reads x, <paramref name="x"/> reads x, XML entities are decoded and <inheritdoc/> is dropped. The
author's line breaks are kept where each line fits; a paragraph with a longer line is rewrapped at WRAP.
Which of the resulting comments only restate their member's name is for a person to judge afterwards.
"""
import html
import re
import sys
import textwrap
from pathlib import Path

ROOTS = ("src", "tests", "bench")
SKIP_PARTS = {"obj", "bin", "Migrations", "node_modules"}
MAX = 160   # .editorconfig's max_line_length
WRAP = 120  # width a rewrapped paragraph aims for

DOC_LINE = re.compile(r"^(?P<indent>[ \t]*)///(?P<text>.*)$")


def cref_name(cref: str) -> str:
    name = re.sub(r"^[TMPFE]:", "", cref)
    return name.replace("{", "<").replace("}", ">")


def render_inline(text: str) -> str:
    text = re.sub(r'<see\s+cref="([^"]*)"\s*/>', lambda m: cref_name(m.group(1)), text)
    text = re.sub(r'<see\s+cref="[^"]*"\s*>(.*?)</see>', r"\1", text, flags=re.S)
    text = re.sub(r'<seealso\s+cref="([^"]*)"\s*/>', lambda m: cref_name(m.group(1)), text)
    text = re.sub(r'<see\s+langword="([^"]*)"\s*/>', r"\1", text)
    text = re.sub(r'<see\s+href="([^"]*)"\s*>(.*?)</see>', r"\2 (\1)", text, flags=re.S)
    text = re.sub(r'<see\s+href="([^"]*)"\s*/>', r"\1", text)
    text = re.sub(r'<(?:paramref|typeparamref)\s+name="([^"]*)"\s*/>', r"\1", text)
    text = re.sub(r"</?c>", "", text)
    text = re.sub(r"<para\s*/>|</?para>|<br\s*/?>", "\n\n", text)
    return text


SECTION = re.compile(
    r'<(?P<tag>summary|remarks|returns|value|example|param|typeparam|exception)(?:\s+(?:name|cref)="(?P<name>[^"]*)")?\s*>'
    r"(?P<body>.*?)</(?P=tag)>",
    re.S,
)


def paragraphs(body: str) -> list[list[str]]:
    """The body's paragraphs, each as the author's lines with the XML rendered."""
    lines = [line.strip() for line in render_inline(body).split("\n")]
    result, current = [], []
    for line in lines:
        if line:
            current.append(html.unescape(line))
        elif current:
            result.append(current)
            current = []
    if current:
        result.append(current)
    return result


def convert_block(indent: str, texts: list[str]) -> list[str]:
    xml = "\n".join(t[1:] if t.startswith(" ") else t for t in texts)
    xml = re.sub(r"<inheritdoc\s*/>", "", xml)
    paras: list[list[str]] = []
    for m in SECTION.finditer(xml):
        tag, name, body = m.group("tag"), m.group("name"), m.group("body")
        for i, para in enumerate(paragraphs(body)):
            if i == 0 and tag in ("param", "typeparam"):
                para[0] = f"{name}: {para[0]}"
            elif i == 0 and tag == "returns":
                para[0] = "Returns " + para[0][:1].lower() + para[0][1:]
            elif i == 0 and tag == "exception":
                para[0] = f"Throws {cref_name(name or '')} {para[0][:1].lower() + para[0][1:]}"
            paras.append(para)
    rest = SECTION.sub("", xml).strip()
    if rest:  # text outside any tag: keep it as it reads
        paras.extend(paragraphs(rest))
    out: list[str] = []
    prefix = indent + "// "
    for n, para in enumerate(paras):
        if n:
            out.append(indent + "//")
        if all(len(prefix) + len(line) <= MAX for line in para):
            out.extend(prefix + line for line in para)
        else:
            width = max(WRAP - len(prefix), 40)
            out.extend(prefix + line for line in textwrap.wrap(" ".join(para), width, break_on_hyphens=False))
    return out


def convert(source: str) -> str:
    lines = source.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = DOC_LINE.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        indent, texts = m.group("indent"), []
        while i < len(lines) and (m := DOC_LINE.match(lines[i])) and m.group("indent") == indent:
            texts.append(m.group("text"))
            i += 1
        out.extend(convert_block(indent, texts))
    return "\n".join(out)


def files(args: list[str]) -> list[Path]:
    roots = [Path(a) for a in args] or [Path(r) for r in ROOTS]
    found = []
    for root in roots:
        candidates = [root] if root.is_file() else sorted(root.rglob("*.cs"))
        found += [p for p in candidates if not SKIP_PARTS.intersection(p.parts) and not p.name.endswith(".g.cs")]
    return found


def main() -> int:
    args = sys.argv[1:]
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    changed = []
    for path in files(args):
        source = path.read_text(encoding="utf-8")
        result = convert(source)
        if result != source:
            changed.append(path)
            if not check:
                path.write_text(result, encoding="utf-8")
    for path in changed:
        print(path)
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
