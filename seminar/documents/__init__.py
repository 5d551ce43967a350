"""Readings from documents: PDF, Word (.docx), EPUB and text in any common encoding.

Each module turns one kind of file into what ``seminar.textformats`` already reads (text
for the text formats, HTML for the documents), or refuses it with a ``TextFormatError``
saying what to do instead:

* ``encodings`` decodes text files (byte order marks, UTF-8, else a guess by
  charset-normalizer, named so the preview can show it);
* ``pdf`` rebuilds paragraphs from a PDF's text layer and keeps its page boundaries;
* ``docx`` converts Word documents with mammoth; ``epub`` joins an EPUB's chapters;
* ``zips`` checks a .docx or .epub archive before anything is unpacked (zip bombs);
* ``limits`` holds every limit, each stated in the message that enforces it;
* ``uploads`` chooses the reader by file name and gives the ``Imported`` reading with
  what the preview says about it.

Nothing here imports Django, like ``seminar.textformats``.
"""
