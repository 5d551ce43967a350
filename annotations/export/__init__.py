"""Discussion archives: a reading or a whole seminar exported so that nothing is lost.

Every format reads through one module, `snapshot`, which decides what is exported (the
options: hidden and deleted posts as evidence, pseudonyms for students) and reads it in
chunks, so an export of any size uses flat memory:

* `csvfile`: a row per annotation or reply, safe to open in a spreadsheet;
* `jsonld`: a W3C Web Annotation `AnnotationCollection`, with rubric scores (`assessing`) and
  moderation events (`moderating`) as annotations on the annotations;
* `threads`, `htmlfile`, `markdown`: a reading laid out with its threads, as a
  self-contained HTML page readable offline and as a Markdown document;
* `datafile`: `data.json`, everything needed to restore the seminar;
* `archive`: the whole-seminar ZIP (all of the above per reading, grades, a manifest with
  SHA-256 of every file), written as a stream;
* `reader`, `restore`: a ZIP checked, then loaded back as a new seminar, in one transaction,
  or not at all;
* `jobs`: the background thread that builds large archives (the `ExportJob` model is in
  annotations/models.py), and the pruning of old ones; `downloads`: the streamed HTTP
  responses pages and the API share; `api`, `views`: the JSON and page faces.

Who may export is decided in `permissions` (`can_export`, `can_export_own`); see
docs/exports.md.
"""
