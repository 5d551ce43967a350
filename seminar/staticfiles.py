"""Static files storage: WhiteNoise's compressed manifest, with ES module imports hashed too.

Django leaves `import … from "./x.js"` untouched unless asked, so modules would be served
under their plain names with short caching; aggregation rewrites them to the hashed names.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
