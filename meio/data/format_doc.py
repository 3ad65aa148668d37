"""Generate docs/data-format.md from the schema, so the format page never drifts from the code."""

from __future__ import annotations

from meio.data.schema import CLOSE_NAME_CUTOFF, COST_SPAN_LIMIT, MAX_MAGNITUDE, TABLES, TOML_KEYS


def data_format_markdown() -> str:
    """The data-format reference page, generated from :data:`TABLES`."""
    out = ["# Instance data format", "",
           "Generated from `meio/data/schema.py` (`python -m meio.data.format_doc > docs/data-format.md`).",
           "An instance is a directory of CSV files (UTF-8, header row, comma separated) and an optional",
           "`instance.toml`. Column order is free; a blank optional cell takes the default.", "",
           *_rules_markdown()]
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


def _rules_markdown() -> list[str]:
    """The rules that hold for every file: errors (the instance is refused) and warnings."""
    costs = ", ".join(f"`{t.name}.{c.name}`" for t in TABLES for c in t.columns if c.cost)
    return [
        "## Rules for every file", "",
        "A broken rule is an **error**: the instance is refused with one message per problem naming the",
        "file, line and column (`meio` exits with code 2). A **warning** is printed and the instance is used.",
        "",
        "Errors:", "",
        "- a header name given twice (after stripping spaces);",
        "- a data row with fewer or more cells than the header has columns (entirely blank lines are allowed",
        "  and skipped; line numbers count them);",
        "- an unknown column whose name is a known column of the file in another case, or close to a known",
        f"  column that the header lacks (case-insensitive `difflib` similarity >= {CLOSE_NAME_CUTOFF:g}): its",
        "  values would otherwise be dropped for the default; the message names the intended column.",
        "  The same holds for keys of `instance.toml`;",
        f"- a finite number larger than {MAX_MAGNITUDE:g} in absolute value, in any numeric column (costs,",
        "  quantities, capacities, volumes, hours): the solvers lose all precision with such numbers. Write",
        "  `inf` for an unlimited capacity where the column allows it.", "",
        "Warnings:", "",
        "- any other unknown column (ignored); an unknown `instance.toml` key (ignored);",
        "- a file of the instance directory or bundle that is not an instance file: when its name is close",
        "  to an absent instance file (other case or the similarity above) the warning names that file;",
        "  other CSV files are reported as ignored; other files (README, hidden files) pass silently;",
        f"- cost coefficients spanning more than {COST_SPAN_LIMIT:g}: over the nonzero cells of the cost columns",
        f"  ({costs}),",
        "  the largest divided by the smallest; the warning names both cells. The LP cannot scale such an",
        "  objective and its optimum may be inaccurate;",
        "- demand no route can deliver on time: for every (zone, speed) whose demand, pooled over products,",
        "  falls in demand classes (zone, speed, window) that no route serves on time (formulation.md: eligibility,",
        "  node categories not considered), the expected units (scenario-weighted, windows by share) that",
        "  are necessarily lost sales.", "",
    ]


if __name__ == "__main__":  # pragma: no cover
    print(data_format_markdown(), end="")
