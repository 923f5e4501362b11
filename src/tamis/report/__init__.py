"""Seeing what a run removed: `tamis report` (a self-contained HTML report with charts) and
`tamis inspect` (a local web app to browse documents with their removed spans).

- `stats`: one streaming pass over a run folder, gathering what the report shows;
- `charts`: those facts as matplotlib charts, rendered to inline SVG;
- `html`: the report page;
- `render`: a document's original text with every removed span struck through and labelled;
- `index`: the inspector's SQLite index (with an FTS5 full-text table), built streaming next to the run;
- `server`: the inspector's web app (standard library `http.server`).
"""
