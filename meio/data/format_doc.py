"""Generate docs/data-format.md from the schema, so the format page never drifts from the code."""

from __future__ import annotations

from meio.data.schema import TABLES, TOML_KEYS


def data_format_markdown() -> str:
    """The data-format reference page, generated from :data:`TABLES`."""
    out = ["# Instance data format", "",
           "Generated from `meio/data/schema.py` (`python -m meio.data.format_doc > docs/data-format.md`).",
           "An instance is a directory of CSV files (UTF-8, header row, comma separated) and an optional",
           "`instance.toml`. Column order is free; unknown columns are ignored (and listed by `meio validate`);",
           "a blank optional cell takes the default.", ""]
    for table in TABLES:
        out += [f"## `{table.file}`" + ("" if table.required else " (optional)"), "", table.description, "",
                "| column | required | type | default | range | description |",
                "|---|---|---|---|---|---|"]
        for c in table.columns:
            default = "" if c.required else ("blank" if c.default is None else str(c.default))
            refers = f" Must exist in {' or '.join(c.refers_to)}." if c.refers_to else ""
            out.append(f"| `{c.name}` | {'yes' if c.required else 'no'} | {c.kind} | {default} | "
                       f"{c.range_text()} | {c.description}{refers} |")
        if table.key:
            out += ["", f"Each row's ({', '.join(table.key)}) must be unique."]
        out.append("")
    out += ["## `instance.toml` (optional)", "", "| key | type | default | description |", "|---|---|---|---|"]
    out += [f"| `{k}` | {t.__name__} | {d!r} | {text} |" for k, (t, d, text) in TOML_KEYS.items()]
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(data_format_markdown(), end="")
